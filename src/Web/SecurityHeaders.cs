using Events.Streaming;

namespace Events.Web;

/// <summary>
/// Headers on every response: a Content-Security-Policy that runs no inline script and lets no
/// other site frame a page (a same-site page could otherwise frame <c>/admin/users</c> and have
/// a role granted with one click), no content sniffing, no full addresses in referrers, and HSTS
/// where served over HTTPS. The policy names the only other origins a page may reach: the LiveKit
/// server (its signalling socket) and, with direct reads, the Azure storage account.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, StreamingOptions streaming, Accounts.Sso.SsoSettings sso)
{
    private readonly string policy = BuildPolicy(streaming, sso);

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        // The Orleans Dashboard (administrators only) is a page of its own with inline script: it
        // keeps the framing rule, not the script rule.
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(EventsHost.DashboardPath)
            ? "frame-ancestors 'none'"
            : policy;
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = "max-age=31536000";
        }
        return next(context);
    }

    private static string BuildPolicy(StreamingOptions streaming, Accounts.Sso.SsoSettings sso)
    {
        // The sign-in button's form is answered with a redirect to the university's provider.
        var forms = sso.Enabled ? "form-action 'self' " + new Uri(sso.Authority!).GetLeftPart(UriPartial.Authority) : "form-action 'self'";
        var connect = new List<string> { "'self'" };
        var media = new List<string> { "'self'", "blob:" };
        if (streaming.LiveKit.Enabled && Uri.TryCreate(streaming.LiveKit.Url, UriKind.Absolute, out var liveKit))
        {
            var socket = new UriBuilder(liveKit) { Scheme = liveKit.Scheme == "https" ? "wss" : "ws", Path = "", Query = "" }.Uri;
            connect.Add(liveKit.GetLeftPart(UriPartial.Authority));
            connect.Add(socket.GetLeftPart(UriPartial.Authority));
        }
        if (streaming.Blobs.Provider == BlobProvider.Azure && streaming.Blobs.Azure.DirectReads)
        {
            var account = new Azure.Storage.Blobs.BlobServiceClient(streaming.Blobs.Azure.ConnectionString).Uri.GetLeftPart(UriPartial.Authority);
            connect.Add(account);
            media.Add(account);
        }
        var images = string.Join(' ', media.Select(m => m == "blob:" ? "data:" : m));
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            $"img-src {images} blob:",
            $"media-src {string.Join(' ', media)}",
            $"connect-src {string.Join(' ', connect)}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            forms,
            "frame-ancestors 'none'");
    }
}
