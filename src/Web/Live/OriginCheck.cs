namespace Events.Web.Live;

/// <summary>
/// Refuses WebSocket upgrades to the hub from other sites' pages: a browser sends its page's
/// Origin, and a cookie-authenticated socket opened by a foreign page would act as the viewer.
/// Clients that are not browsers send no Origin and are let through (they carry their own token).
/// Extra allowed origins come from "Hub:AllowedOrigins" (a list).
/// </summary>
public sealed class OriginCheck(RequestDelegate next, IConfiguration configuration)
{
    private readonly HashSet<string> allowed = new(configuration.GetSection("Hub:AllowedOrigins").Get<string[]>() ?? [], StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Headers.Origin is [{ } origin] && !IsAllowed(origin, context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("Cross-origin connections to the hub are not allowed.");
        }
        return next(context);
    }

    private bool IsAllowed(string origin, HttpRequest request) =>
        allowed.Contains(origin)
        || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
}
