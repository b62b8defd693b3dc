using Events.Web.Accounts;
using Events.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>A member deletes their account, confirming with their password.</summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class DeleteModel(UserManager<Member> users, SignInManager<Member> signIn, AccountData data, UiText text) : PageModel
{
    [BindProperty]
    public string Password { get; set; } = "";

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await users.GetUserAsync(User) is null ? Challenge() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } member)
        {
            return Challenge();
        }
        if (string.IsNullOrEmpty(Password) || !await users.CheckPasswordAsync(member, Password))
        {
            Error = text["account.deletewrongpassword"];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        if (!await data.DeleteAsync(member, HttpContext))
        {
            Error = text["account.deletelastadmin"];
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        await signIn.SignOutAsync();
        return LocalRedirect("/account/deleted");
    }
}
