using Events.Web.Accounts;
using Events.Web.Accounts.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Account;

/// <summary>The link of a confirmation mail: confirms the address (or a changed one), once.</summary>
public sealed class ConfirmModel(UserManager<Member> users) : PageModel
{
    public bool Confirmed { get; private set; }

    public async Task OnGetAsync(string? userId, string? code, string? changedEmail)
    {
        var token = AccountMail.DecodeToken(code);
        if (token is null || string.IsNullOrEmpty(userId) || userId.Length > 64 || await users.FindByIdAsync(userId) is not { } member)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        if (changedEmail is null)
        {
            // A second click on a used link: the address is confirmed already, say so rather than fail.
            Confirmed = member.EmailConfirmed || (await users.ConfirmEmailAsync(member, token)).Succeeded;
        }
        else
        {
            Confirmed = (await users.ChangeEmailAsync(member, changedEmail, token)).Succeeded
                && (await users.SetUserNameAsync(member, changedEmail)).Succeeded;
        }
        if (!Confirmed)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }
}
