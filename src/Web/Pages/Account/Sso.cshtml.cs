using Events.Web.Accounts;
using Events.Web.Accounts.Sso;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>
/// POST /account/sso: the sign-in page's "Sign in with the university" button goes to the provider;
/// GET /account/sso/done: where the provider's answer ends, signed in or with the reason why not.
/// </summary>
public sealed class SsoModel(SsoSettings settings, SignInManager<Member> signIn, SingleSignOn sso, UiText text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Failed { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnPost()
    {
        if (!settings.Enabled)
        {
            return NotFound();
        }
        var back = "/account/sso/done?returnUrl=" + Uri.EscapeDataString(Local(ReturnUrl));
        return Challenge(signIn.ConfigureExternalAuthenticationProperties(SingleSignOn.Scheme, back), SingleSignOn.Scheme);
    }

    public async Task<IActionResult> OnGetDoneAsync()
    {
        if (!settings.Enabled)
        {
            return NotFound();
        }
        var outcome = Failed is null ? await sso.CompleteAsync(HttpContext.Connection.RemoteIpAddress?.ToString()) : SsoOutcome.Failed;
        if (outcome == SsoOutcome.SignedIn)
        {
            return LocalRedirect(Local(ReturnUrl));
        }
        Error = text.Format(outcome == SsoOutcome.EmailNotVerified ? "sso.emailnotverified" : "sso.failed", Name);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public string Name => text.IsChinese ? settings.Name.Zh : settings.Name.En;

    private string Local(string? url) => url is { Length: > 0 } && Url.IsLocalUrl(url) ? url : "/";
}
