using Events.Web.Accounts;
using Events.Web.Accounts.Mail;
using Microsoft.AspNetCore.Identity;

namespace Events.Web.Pages.Account;

/// <summary>A link to choose a new password, for a confirmed account.</summary>
public sealed class ForgotModel(UserManager<Member> users, AccountMail mail, AccountQuotas quotas, Events.Web.Localization.UiText text) : MailedLinkModel(users, quotas, text)
{
    protected override async Task<bool> SendAsync(UserManager<Member> users, Member member) =>
        !member.EmailConfirmed || await mail.SendResetAsync(member, AccountMail.EncodeToken(await users.GeneratePasswordResetTokenAsync(member)));
}
