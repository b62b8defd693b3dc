using System.ComponentModel.DataAnnotations;
using Events.Web.Accounts;
using Events.Web.Accounts.Mail;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>The link of a reset mail: a new password, once; every other sign-in of the account ends.</summary>
public sealed class ResetModel(UserManager<Member> users, MemberAccess access, UiText text) : PageModel
{
    [BindProperty(SupportsGet = true), Required, EmailAddress, MaxLength(256)]
    public string Email { get; set; } = "";

    [BindProperty(SupportsGet = true), Required, MaxLength(4096)]
    public string Code { get; set; } = "";

    [BindProperty, Required, StringLength(128, MinimumLength = 8)]
    public string Password { get; set; } = "";

    public string? Error { get; private set; }

    public bool Done { get; private set; }

    public void OnGet() => ModelState.Clear();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            Error = text["account.weakpassword"];
            return Page();
        }
        var token = AccountMail.DecodeToken(Code);
        if (token is null || await users.FindByEmailAsync(Email) is not { } member)
        {
            Error = text["account.resetfailed"];
            return Page();
        }
        var result = await users.ResetPasswordAsync(member, token, Password);
        if (!result.Succeeded)
        {
            Error = text[result.Errors.Any(e => e.Code == "InvalidToken") ? "account.resetfailed" : "account.weakpassword"];
            return Page();
        }
        // The reset changed the security stamp: cookies, tokens and open connections of the account end.
        await access.RecordAsync(member.Id);
        Done = true;
        return Page();
    }
}
