using System.ComponentModel.DataAnnotations;
using Events.Web.Accounts;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

public sealed class LoginModel(SignInManager<Member> signIn, UserManager<Member> users, SignInGate gate, UiText text, Events.Web.Accounts.Sso.SsoSettings sso) : PageModel
{
    public Events.Web.Accounts.Sso.SsoSettings Sso => sso;

    [BindProperty, Required, EmailAddress, MaxLength(256)]
    public string Email { get; set; } = "";

    [BindProperty, Required, MaxLength(128)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>The address has an account whose email is not confirmed yet: the page offers a new link.</summary>
    public bool Unconfirmed { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? SignedOut { get; set; }

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
        SignedOut = null;
        var address = HttpContext.Connection.RemoteIpAddress;
        var wait = await gate.WaitAsync(Email, address);
        if (wait > TimeSpan.Zero)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = SignInGate.Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Error = text.Format("account.wait", SignInGate.Seconds(wait));
            return Page();
        }
        if (await users.FindByEmailAsync(Email.Trim()) is not { } member)
        {
            await gate.FailedAsync(Email, address);
            gate.CheckAsIfKnown(users.PasswordHasher, Password);
            Error = text["account.badlogin"];
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(member, Password, isPersistent: true, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            await gate.SucceededAsync(Email);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }
        Unconfirmed = result.IsNotAllowed && !member.EmailConfirmed;
        if (!Unconfirmed)
        {
            await gate.FailedAsync(Email, address);
        }
        Error = text[Unconfirmed ? "account.unconfirmed" : "account.badlogin"];
        return Page();
    }
}
