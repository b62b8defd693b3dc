using System.Globalization;
using Events.Web.Content;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Net.Http.Headers;
using QRCoder;

namespace Events.Web.Pages;

/// <summary>
/// What the mobile voting page needs beside the page itself: its output-cache policy, the
/// headers that let a browser or a CDN keep it, and its QR code.
/// </summary>
public static class VotePage
{
    public const string CachePolicy = "anonymous-page";

    /// <summary>How long the page is kept (in the server's output cache and by a browser or CDN): content changes show within this.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    public static string PathOf(string session) => "/vote/" + session;

    /// <summary>The session's projects in running order, and their titles in the reader's language as JSON by slug (for the script's option labels).</summary>
    public static (IReadOnlyList<ProjectItem> Projects, string TitlesJson) ProjectsOf(ContentCatalog catalog, SessionItem session, bool chinese)
    {
        var projects = session.RunningOrder.Select(catalog.FindProject).OfType<ProjectItem>().ToArray();
        return (projects, System.Text.Json.JsonSerializer.Serialize(projects.ToDictionary(p => p.Slug, p => p.Title.Get(chinese))));
    }

    /// <summary>
    /// Kept in the output cache for anonymous visitors only (the default policy never caches a
    /// signed-in request or a response that sets a cookie), one copy per language.
    /// </summary>
    public static void AddVotePageCache(this IServiceCollection services)
    {
        services.AddOutputCache(o => o.AddPolicy(CachePolicy, b => b
            .Expire(Lifetime)
            .SetVaryByQuery([])
            .VaryByValue(_ => new KeyValuePair<string, string>("lang", CultureInfo.CurrentUICulture.Name))));
    }

    /// <summary>Anonymous visitors' copies may be kept by a shared cache, per language (cookie or Accept-Language); a signed-in page shows its person's name and is private.</summary>
    public static void MarkCacheable(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (context.User.Identity?.IsAuthenticated == true)
        {
            headers.CacheControl = "private, no-store";
            return;
        }
        headers.CacheControl = $"public, max-age={(int)Lifetime.TotalSeconds}";
        headers.Vary = "Accept-Language, Cookie";
    }

    /// <summary>GET /vote/{slug}/qr.svg: the QR code of the voting page's public address (never the request's Host), cacheable.</summary>
    public static IEndpointRouteBuilder MapVoteQr(this IEndpointRouteBuilder app)
    {
        app.MapGet("/vote/{slug}/qr.svg", (string slug, ContentStore content, PublicAddress address, HttpContext context) =>
        {
            if (content.Current.FindSession(slug) is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such session", detail: $"There is no session '{slug}'.");
            }
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Text(QrSvg(address.Link(PathOf(slug))), "image/svg+xml");
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>The QR code of <paramref name="url"/> as SVG, black on white with the standard four-module quiet zone, error correction M.</summary>
    public static string QrSvg(string url)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(8, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }
}
