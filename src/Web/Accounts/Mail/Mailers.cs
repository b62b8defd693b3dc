using MailKit.Net.Smtp;
using MimeKit;

namespace Events.Web.Accounts.Mail;

/// <summary>Sends one message; throws when it could not be handed over (the caller tells the person).</summary>
public interface IMailer
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// The embedded default: every message becomes an <c>.eml</c> file (any mail program opens it),
/// written under a temporary name and renamed, so a reader never sees half a message.
/// </summary>
public sealed class FolderMailer(string folder, TimeProvider clock) : IMailer
{
    public string Folder => folder;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var name = $"{clock.GetUtcNow():yyyyMMdd-HHmmss-fff}-{Guid.NewGuid():N}.eml";
        var temp = Path.Combine(folder, "." + name + ".tmp");
        await using (var file = File.Create(temp))
        {
            await message.WriteToAsync(file, cancellationToken);
        }
        File.Move(temp, Path.Combine(folder, name));
    }
}

/// <summary>Delivers through an SMTP server with MailKit, one connection per message (account mail is rare).</summary>
public sealed class SmtpMailer(MailSettings.SmtpSettings settings) : IMailer
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        await client.ConnectAsync(settings.Host!, settings.Port, settings.Security, timeout.Token);
        if (!string.IsNullOrEmpty(settings.UserName))
        {
            await client.AuthenticateAsync(settings.UserName, settings.Password!, timeout.Token);
        }
        await client.SendAsync(message, timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }
}
