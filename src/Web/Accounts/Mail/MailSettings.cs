using MailKit.Security;
using MimeKit;

namespace Events.Web.Accounts.Mail;

public enum MailProvider
{
    /// <summary>Each message is written as an <c>.eml</c> file to a folder (the embedded default).</summary>
    Folder,

    /// <summary>Messages go to an SMTP server.</summary>
    Smtp,
}

/// <summary>The <c>Mail</c> settings, bound strictly: a misspelt key stops the start.</summary>
public sealed class MailSettings
{
    public MailProvider Provider { get; set; } = MailProvider.Folder;

    /// <summary>The sender, as "Name &lt;address&gt;" or an address.</summary>
    public string From { get; set; } = "Alumni Live <no-reply@alumni.example>";

    /// <summary>
    /// The address links in mails start with (<c>https://events.example.edu</c>). Never taken from
    /// a request's Host header, which a stranger chooses; when unset, the address the server is
    /// bound to.
    /// </summary>
    public string? PublicUrl { get; set; }

    public FolderSettings Folder { get; set; } = new();

    public SmtpSettings Smtp { get; set; } = new();

    public sealed class FolderSettings
    {
        /// <summary>Where the <c>.eml</c> files go; <c>{Data:Path}/mail</c> when unset.</summary>
        public string? Path { get; set; }
    }

    public sealed class SmtpSettings
    {
        public string? Host { get; set; }

        public int Port { get; set; } = 587;

        /// <summary><c>Auto</c> (STARTTLS when offered), <c>StartTls</c> (required), <c>SslOnConnect</c> (port 465) or <c>None</c>.</summary>
        public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

        public string? UserName { get; set; }

        public string? Password { get; set; }

        /// <summary>How long one delivery may take before it counts as failed.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    }

    public void Validate()
    {
        if (!MailboxAddress.TryParse(From, out _))
        {
            throw new InvalidOperationException($"Configuration 'Mail:From' is not a mail address: '{From}'.");
        }
        if (PublicUrl is not null && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"Configuration 'Mail:PublicUrl' must be an absolute http or https address: '{PublicUrl}'.");
        }
        if (Provider == MailProvider.Smtp)
        {
            if (string.IsNullOrWhiteSpace(Smtp.Host))
            {
                throw new InvalidOperationException("Configuration 'Mail:Smtp:Host' is required when 'Mail:Provider' is 'Smtp'.");
            }
            if (Smtp.Port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"Configuration 'Mail:Smtp:Port' must be between 1 and 65535: {Smtp.Port}.");
            }
            if (string.IsNullOrEmpty(Smtp.UserName) != string.IsNullOrEmpty(Smtp.Password))
            {
                throw new InvalidOperationException("Configuration 'Mail:Smtp:UserName' and 'Mail:Smtp:Password' go together.");
            }
        }
    }
}
