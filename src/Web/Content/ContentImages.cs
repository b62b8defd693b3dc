using Microsoft.Extensions.FileProviders;

namespace Events.Web.Content;

/// <summary>
/// The pictures of the content (<c>content/images/</c>), served at <c>/content/images/</c> with a
/// day's caching: a project's <c>image</c>, and pictures a Markdown body shows by that path.
/// </summary>
public static class ContentImages
{
    public const string Folder = "images";
    public const string RequestPath = "/content/images";

    public static IApplicationBuilder UseContentImages(this IApplicationBuilder app, string contentDirectory)
    {
        var folder = Path.Combine(contentDirectory, Folder);
        if (!Directory.Exists(folder))
        {
            return app;
        }
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            RequestPath = RequestPath,
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=86400",
        });
    }
}
