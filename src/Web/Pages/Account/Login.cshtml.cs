using System.ComponentModel.DataAnnotations;
using Events.Web.Accounts;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

public sealed class LoginModel(SignInManager<Member> signIn, UiText text) : PageModel
{
    [BindProperty, Required, EmailAddress, MaxLength(256)]
    public string Email { get; set; } = "";

    [BindProperty, Required, MaxLength(128)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            Error = text["account.invalid"];
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(Email, Password, isPersistent: true, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }
        Error = text[result.IsLockedOut ? "account.locked" : "account.badlogin"];
        return Page();
    }
}
