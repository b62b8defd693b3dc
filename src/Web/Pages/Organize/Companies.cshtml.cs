using Events.Web.Accounts.Companies;
using Events.Web.Content;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Organize;

/// <summary>Organizers invite company representatives and see, per company, who represents it and who is invited.</summary>
public sealed class CompaniesModel(CompanyRepresentatives reps, ContentStore content, UiText text) : MessagePage
{
    [BindProperty]
    public string Company { get; set; } = "";

    [BindProperty]
    public string Email { get; set; } = "";

    public IReadOnlyList<CompanyItem> All { get; private set; } = [];

    public IReadOnlyList<CompanyRepresentatives.Representative> Reps { get; private set; } = [];

    public IReadOnlyList<CompanyRepresentatives.Pending> Invitations { get; private set; } = [];


    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostInviteAsync()
    {
        var email = Email.Trim();
        if (email.Length is 0 or > 256 || !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email))
        {
            return await SayAsync(text["companies.bademail"], error: true);
        }
        return await reps.InviteAsync(User, HttpContext, Company, email)
            ? await SayAsync(text.Format("companies.invited", email), error: false)
            : await SayAsync(text["companies.unknown"], error: true);
    }

    public async Task<IActionResult> OnPostRemoveAsync(string userId, string company) =>
        await reps.RemoveAsync(User, HttpContext, userId ?? "", company ?? "")
            ? await SayAsync(text["companies.removed"], error: false)
            : await SayAsync(text["companies.notrep"], error: true);

    public string NameOf(string slug) => content.Current.FindCompany(slug)?.Name.Get(text.IsChinese) ?? slug;

    private async Task<IActionResult> SayAsync(string message, bool error)
    {
        await LoadAsync();
        return Say(message, error);
    }

    private async Task LoadAsync()
    {
        All = content.Current.Companies;
        (Reps, Invitations) = await reps.ListAsync();
    }
}
