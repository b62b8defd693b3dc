using System.ComponentModel.DataAnnotations;
using Events.Web.Accounts;
using Events.Web.Accounts.Mail;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>
/// Registration: the account is made unconfirmed and a confirmation link is mailed; sign-in waits
/// for it. Whether an address already has an account is never shown on the page (its owner gets
/// a mail saying so instead), and both paths cost the same password hashing.
/// </summary>
public sealed class RegisterModel(UserManager<Member> users, AccountMail mail, AccountQuotas quotas, UiText text) : PageModel
{
    [BindProperty, Required, EmailAddress, MaxLength(256)]
    public string Email { get; set; } = "";

    [BindProperty, Required, StringLength(40, MinimumLength = 1)]
    public string DisplayName { get; set; } = "";

    [BindProperty, Required, StringLength(128, MinimumLength = 8)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            Errors = [text["account.registerinvalid"]];
            return Page();
        }
        if (DisplayNameRules.Check(DisplayName) is { } problem)
        {
            Errors = [text[problem switch
            {
                NameProblem.Staff => "account.namestaff",
                NameProblem.Invisible => "account.nameinvisible",
                _ => "account.registerinvalid",
            }]];
            return Page();
        }
        if (await quotas.RegisterAsync(HttpContext.Connection.RemoteIpAddress) is { } wait && wait > TimeSpan.Zero)
        {
            Errors = [text.Format("account.toomanyregistrations", AccountQuotas.Minutes(wait))];
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        Email = Email.Trim();
        var member = new Member { UserName = Email, Email = Email, DisplayName = DisplayName.Trim() };
        foreach (var validator in users.PasswordValidators)
        {
            if (!(await validator.ValidateAsync(users, member, Password)).Succeeded)
            {
                Errors = [text["account.weakpassword"]];
                return Page();
            }
        }
        bool sent;
        if (await users.FindByEmailAsync(Email) is not null)
        {
            // The same work as a new account, so the answer's timing tells nothing either.
            users.PasswordHasher.HashPassword(member, Password);
            sent = await mail.SendAlreadyRegisteredAsync(Email);
        }
        else
        {
            var created = await users.CreateAsync(member, Password);
            if (!created.Succeeded)
            {
                // A registration of the same address a moment earlier won the race: as above.
                if (created.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail"))
                {
                    sent = await mail.SendAlreadyRegisteredAsync(Email);
                    return RedirectToPage("/Account/CheckEmail", new { email = Email, failed = sent ? null : "1" });
                }
                Errors = [text["account.registerinvalid"]];
                return Page();
            }
            sent = await mail.SendConfirmationAsync(member, AccountMail.EncodeToken(await users.GenerateEmailConfirmationTokenAsync(member)));
        }
        return RedirectToPage("/Account/CheckEmail", new { email = Email, failed = sent ? null : "1" });
    }
}
