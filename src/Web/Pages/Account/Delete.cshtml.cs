using Events.Web.Accounts;
using Events.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>A member deletes their account, confirming with their password (or, signed in only through the university, their email).</summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class DeleteModel(UserManager<Member> users, SignInManager<Member> signIn, AccountData data, UiText text) : PageModel
{
    [BindProperty]
    public string Password { get; set; } = "";

    public string? Error { get; private set; }

    /// <summary>False for an account that signs in only through the university: it confirms with its email instead.</summary>
    public bool HasPassword { get; private set; } = true;

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } member)
        {
            return Challenge();
        }
        HasPassword = await users.HasPasswordAsync(member);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } member)
        {
            return Challenge();
        }
        HasPassword = await users.HasPasswordAsync(member);
        var confirmed = HasPassword
            ? !string.IsNullOrEmpty(Password) && await users.CheckPasswordAsync(member, Password)
            : string.Equals(Password.Trim(), member.Email, StringComparison.OrdinalIgnoreCase);
        if (!confirmed)
        {
            Error = text["account.deletewrongpassword"];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        if (!await data.DeleteAsync(member))
        {
            Error = text["account.deletelastadmin"];
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        await signIn.SignOutAsync();
        return LocalRedirect("/account/deleted");
    }
}
