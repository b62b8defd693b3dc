using System.Text.RegularExpressions;
using MimeKit;

namespace Events.Web.Tests.Infrastructure;

/// <summary>Reads the platform's mail as a person would: the <c>.eml</c> files of its mail folder, parsed by MimeKit.</summary>
public static partial class Mailbox
{
    /// <summary>Every message to this address, oldest first.</summary>
    public static IReadOnlyList<MimeMessage> To(string folder, string address)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.GetFiles(folder, "*.eml").Order(StringComparer.Ordinal)
            .Select(f => MimeMessage.Load(f))
            .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    /// <summary>The newest message to the address once there are more than <paramref name="already"/>.</summary>
    public static async Task<MimeMessage> WaitForAsync(string folder, string address, int already = 0, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var messages = To(folder, address);
            if (messages.Count > already)
            {
                return messages[^1];
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"No mail to {address} in {folder} within {timeoutMs} ms ({messages.Count} before).");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>The first link in the message's text whose path is <paramref name="path"/>.</summary>
    public static Uri Link(MimeMessage message, string path)
    {
        foreach (Match m in Url().Matches(message.TextBody ?? ""))
        {
            var url = new Uri(m.Value);
            if (url.AbsolutePath == path)
            {
                return url;
            }
        }
        throw new InvalidOperationException($"No link to {path} in: {message.TextBody}");
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Url();
}
