using Events.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>A person's own account: who they are here, their roles, and "sign out everywhere".</summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class IndexModel(UserManager<Member> users, SignInManager<Member> signIn, MemberAccess access, Events.Web.Accounts.Companies.CompanyRepresentatives reps, Events.Web.Content.ContentStore content) : PageModel
{
    public Member Member { get; private set; } = null!;

    public IList<string> MemberRoles { get; private set; } = [];

    /// <summary>The companies this person represents.</summary>
    public IReadOnlyList<Events.Web.Content.CompanyItem> Companies { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } member)
        {
            return Challenge();
        }
        Member = member;
        MemberRoles = await users.GetRolesAsync(member);
        Companies = (await reps.CompaniesOfAsync(member.Id)).Select(c => content.Current.FindCompany(c)).OfType<Events.Web.Content.CompanyItem>().ToArray();
        return Page();
    }

    /// <summary>A new security stamp: every cookie and token issued before it stops working, open connections included.</summary>
    public async Task<IActionResult> OnPostEverywhereAsync()
    {
        if (await users.GetUserAsync(User) is { } member)
        {
            await users.UpdateSecurityStampAsync(member);
            await access.RecordAsync(member.Id);
        }
        await signIn.SignOutAsync();
        return LocalRedirect("/account/login?signedout=everywhere");
    }
}
