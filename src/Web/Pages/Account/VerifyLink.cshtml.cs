using Events.Web.Accounts.Roster;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>
/// The page a mailed verification link opens. Opening it changes nothing (mail scanners open
/// links too); the member confirms with a button, signed in as the account that asked.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class VerifyLinkModel(AlumniVerification verification) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public bool Valid { get; private set; }

    public VerifyOutcome? Outcome { get; private set; }

    public IActionResult OnGet()
    {
        Valid = verification.ReadLink(User, Token) is not null;
        if (!Valid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Outcome = await verification.UseLinkAsync(User, HttpContext.Connection.RemoteIpAddress?.ToString(), Token);
        Valid = Outcome is VerifyOutcome.Verified or VerifyOutcome.AlreadyVerified;
        if (!Valid)
        {
            Response.StatusCode = Outcome == VerifyOutcome.Claimed ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        }
        return Page();
    }
}
