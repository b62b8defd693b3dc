using Events.Web.Accounts.Companies;
using Events.Web.Content;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>The page an invitation link opens: who invites whom to which company, and the button that accepts it.</summary>
public sealed class InvitationModel(CompanyRepresentatives reps, ContentStore content, UiText text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public InvitationState State { get; private set; }

    public string Company { get; private set; } = "";

    public string Email { get; private set; } = "";

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (User.Identity?.IsAuthenticated != true)
        {
            return Challenge();
        }
        await LoadAsync();
        State = await reps.AcceptAsync(User, HttpContext, Token);
        Response.StatusCode = State switch
        {
            InvitationState.Accepted => StatusCodes.Status200OK,
            InvitationState.WrongAccount => StatusCodes.Status403Forbidden,
            InvitationState.Unknown => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status410Gone,
        };
        return Page();
    }

    private async Task LoadAsync()
    {
        var (state, invitation) = await reps.ReadAsync(Token, User);
        State = state;
        Company = invitation is null ? "" : content.Current.FindCompany(invitation.Company)?.Name.Get(text.IsChinese) ?? invitation.Company;
        Email = invitation?.Email ?? "";
        if (state is InvitationState.Unknown)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        else if (state is InvitationState.Used or InvitationState.Expired)
        {
            Response.StatusCode = StatusCodes.Status410Gone;
        }
    }
}
