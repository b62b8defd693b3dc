using System.Text;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using MimeKit;

namespace Events.Web.Accounts.Mail;

/// <summary>
/// The account mails (confirm an address, an address already registered, choose a new password),
/// written in the language of the page that asked for them, with links that start at the
/// configured public address. A mail that cannot be handed over is logged and reported as false,
/// so the page can say so and offer to send it again.
/// </summary>
public sealed class AccountMail(IMailer mailer, MailSettings settings, PublicAddress address, UiText text, AccountQuotas quotas, ILogger<AccountMail> logger)
{
    /// <summary>An Identity token made safe for a URL, as the account pages and the account API expect it.</summary>
    public static string EncodeToken(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    /// <summary>The token back from <see cref="EncodeToken"/>; null when the text was not one.</summary>
    public static string? DecodeToken(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 4096)
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <param name="changedEmail">The new address when the member asked to change it (the mail goes there).</param>
    public Task<bool> SendConfirmationAsync(Member member, string code, string? changedEmail = null) =>
        SendAsync(changedEmail ?? member.Email!, "mail.confirm", DisplayNames.For(member),
            Link($"/account/confirm?userId={Uri.EscapeDataString(member.Id)}&code={Uri.EscapeDataString(code)}"
                + (changedEmail is null ? "" : "&changedEmail=" + Uri.EscapeDataString(changedEmail))));

    public Task<bool> SendAlreadyRegisteredAsync(string email) =>
        SendAsync(email, "mail.exists", Link("/account/login"), Link("/account/forgot"));

    public Task<bool> SendResetAsync(Member member, string code) =>
        SendAsync(member.Email!, "mail.reset", DisplayNames.For(member), Link($"/account/reset?email={Uri.EscapeDataString(member.Email!)}&code={Uri.EscapeDataString(code)}"), code);

    /// <summary>The link that verifies a member as the alumnus of a roster row, sent to the address the roster holds.</summary>
    public Task<bool> SendRosterLinkAsync(string email, string rosterName, string pathAndQuery) =>
        SendAsync(email, "mail.roster", rosterName, Link(pathAndQuery));

    /// <summary>An organizer's invitation to represent a company, with its single-use link.</summary>
    public Task<bool> SendInvitationAsync(string email, string company, string pathAndQuery, int days) =>
        SendAsync(email, "mail.invitation", company, Link(pathAndQuery), days);

    /// <summary>
    /// A company moved the student's application: in both languages (the representative's language
    /// is not the student's), and outside the hourly quota of account mails, since only a company's
    /// own representatives cause it.
    /// </summary>
    public async Task<bool> SendApplicationUpdateAsync(string to, Content.Localized company, Content.Localized position, string status, string? note, string pathAndQuery)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(to));
        var subject = Localization.UiStrings.Table["mail.application.subject"];
        message.Subject = string.Format(System.Globalization.CultureInfo.InvariantCulture, subject.En, company.En) + " / " + string.Format(System.Globalization.CultureInfo.InvariantCulture, subject.Zh, company.Zh);
        string Body(bool zh)
        {
            var row = Localization.UiStrings.Table["mail.application.body"];
            var statusText = zh ? Localization.UiStrings.Table["fair.status." + status].Zh : Localization.UiStrings.Table["fair.status." + status].En;
            var noteText = note is null ? "" : (zh ? Localization.UiStrings.Table["mail.application.note"].Zh : Localization.UiStrings.Table["mail.application.note"].En) + "\n\n" + note + "\n\n";
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, zh ? row.Zh : row.En, company.Get(zh), position.Get(zh), statusText, noteText, Link(pathAndQuery));
        }
        message.Body = new TextPart("plain") { Text = (Body(false) + "\n\n——\n\n" + Body(true)).Replace("\\n", "\n", StringComparison.Ordinal) };
        try
        {
            await mailer.SendAsync(message, CancellationToken.None);
            return true;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Sending an application update failed");
            return false;
        }
    }

    private async Task<bool> SendAsync(string to, string kind, params object[] args)
    {
        // A recipient gets a few account mails an hour at most, whoever asks and whether or not
        // the address has an account: the page answers as if sent, so the limit tells nothing.
        if (await quotas.MailToAsync(to) > TimeSpan.Zero)
        {
            logger.LogWarning("Not sending {Kind} mail: its recipient has had the hourly limit of account mails", kind);
            return true;
        }
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = text[kind + ".subject"];
        var body = new TextPart("plain") { Text = text.Format(kind + ".body", args).Replace("\\n", "\n", StringComparison.Ordinal) };
        body.Headers.Add(HeaderId.ContentLanguage, text.HtmlLang);
        message.Body = body;
        try
        {
            await mailer.SendAsync(message, CancellationToken.None);
            return true;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Sending {Kind} mail failed", kind);
            return false;
        }
    }

    private string Link(string pathAndQuery) => address.Link(pathAndQuery);
}

/// <summary>
/// Mail for the account API (<c>/api/account</c>): its confirmation links are rewritten to the
/// site's confirmation page at the public address (the API would build them from the request's
/// Host header), and a reset code comes with a link to the reset page.
/// </summary>
public sealed class IdentityMailSender(AccountMail mail) : IEmailSender<Member>
{
    public Task SendConfirmationLinkAsync(Member user, string email, string confirmationLink)
    {
        var query = QueryOf(confirmationLink);
        var changed = query.TryGetValue("changedEmail", out var value) ? value.ToString() : null;
        return mail.SendConfirmationAsync(user, query["code"].ToString(), changed);
    }

    public Task SendPasswordResetLinkAsync(Member user, string email, string resetLink)
    {
        var query = QueryOf(resetLink);
        return mail.SendResetAsync(user, query["code"].ToString());
    }

    public Task SendPasswordResetCodeAsync(Member user, string email, string resetCode) => mail.SendResetAsync(user, resetCode);

    /// <summary>The link's query; Identity hands links over HTML-encoded (<c>&amp;amp;</c> between the parameters).</summary>
    private static Dictionary<string, Microsoft.Extensions.Primitives.StringValues> QueryOf(string link) =>
        QueryHelpers.ParseQuery(new Uri(System.Net.WebUtility.HtmlDecode(link)).Query);
}
