using System.ComponentModel.DataAnnotations;
using Events.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>
/// A page that mails a link to an address if it has an account in the right state, and answers
/// the same either way, so it tells nobody whether the address has an account.
/// </summary>
public abstract class MailedLinkModel(UserManager<Member> users, AccountQuotas quotas, Events.Web.Localization.UiText text) : PageModel
{
    [BindProperty(SupportsGet = true), Required, EmailAddress, MaxLength(256)]
    public string Email { get; set; } = "";

    /// <summary>Null before a post; then whether the page may say "on its way" (false: the mail could not be handed over).</summary>
    public bool? Sent { get; private set; }

    /// <summary>Set when this address asked for too many mails within the hour.</summary>
    public string? Refused { get; private set; }

    public void OnGet() => ModelState.Clear();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (await quotas.MailRequestAsync(HttpContext.Connection.RemoteIpAddress) is { } wait && wait > TimeSpan.Zero)
        {
            Refused = text.Format("account.toomanymails", AccountQuotas.Minutes(wait));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        Sent = await users.FindByEmailAsync(Email.Trim()) is not { } member || await SendAsync(users, member);
        return Page();
    }

    /// <summary>Mails the link if the account is in the state it is for; true when nothing was due or it went out.</summary>
    protected abstract Task<bool> SendAsync(UserManager<Member> users, Member member);
}
