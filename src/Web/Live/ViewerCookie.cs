using System.Security.Cryptography;

namespace Events.Web.Live;

/// <summary>
/// Gives each browser a random, long-lived viewer id so that unique viewers are counted per
/// browser, not per page load. It identifies nothing about the person and is HttpOnly. Media
/// (<c>/hls</c>), the voting page and the overlay get none: a response that sets a cookie is not
/// kept by a CDN or the output cache, and those are the pages a storm of first visits opens.
/// </summary>
public sealed class ViewerCookie(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) && !context.Request.Cookies.ContainsKey(LiveHub.ViewerCookie)
            && !context.Request.Path.StartsWithSegments("/hubs") && !context.Request.Path.StartsWithSegments("/api")
            && !context.Request.Path.StartsWithSegments("/hls")
            && !context.Request.Path.StartsWithSegments("/vote") && !context.Request.Path.StartsWithSegments("/overlay"))
        {
            context.Response.Cookies.Append(LiveHub.ViewerCookie, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                MaxAge = TimeSpan.FromDays(365),
                IsEssential = true,
                Secure = context.Request.IsHttps,
            });
        }
        return next(context);
    }
}
