using Events.Web.Accounts.Mail;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Events.Web;

/// <summary>
/// The site's public address, which links that leave the site start with: the links in mails and
/// the voting page's QR code (shown on the stream, where a wrong host would reach every viewer).
/// It is <c>Mail:PublicUrl</c> when set; never taken from a request's Host header, which a stranger
/// chooses; else the address the server is bound to.
/// </summary>
public sealed class PublicAddress(MailSettings settings, IServer server)
{
    public string Base
    {
        get
        {
            if (settings.PublicUrl is { } configured)
            {
                return configured.TrimEnd('/');
            }
            var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
            return bound.Replace("://[::]", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://+", "://localhost", StringComparison.Ordinal)
                .Replace("://*", "://localhost", StringComparison.Ordinal)
                .TrimEnd('/');
        }
    }

    /// <summary>The absolute address of a local path (starting with '/').</summary>
    public string Link(string pathAndQuery) => Base + pathAndQuery;
}
