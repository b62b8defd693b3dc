using Events.Web.Accounts;
using Events.Web.Accounts.Mail;
using Microsoft.AspNetCore.Identity;

namespace Events.Web.Pages.Account;

/// <summary>A new confirmation link for an unconfirmed account.</summary>
public sealed class ResendModel(UserManager<Member> users, AccountMail mail, AccountQuotas quotas, Events.Web.Localization.UiText text) : MailedLinkModel(users, quotas, text)
{
    protected override async Task<bool> SendAsync(UserManager<Member> users, Member member) =>
        member.EmailConfirmed || await mail.SendConfirmationAsync(member, AccountMail.EncodeToken(await users.GenerateEmailConfirmationTokenAsync(member)));
}
