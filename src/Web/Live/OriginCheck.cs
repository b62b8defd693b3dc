namespace Events.Web.Live;

/// <summary>
/// Refuses what another site's page could make a signed-in browser do: open the hub (a
/// cookie-authenticated socket opened by a foreign page would act as the viewer), and any state
/// change on the HTTP API that would ride on the sign-in cookie or set it (Identity's
/// <c>/api/account/login?useCookies=true</c>: a forged sign-in into someone else's account). A
/// browser sends its page's Origin; clients that are not browsers send none and are let through,
/// as are bearer-token calls without the cookie (a foreign page cannot hold the token). The pages'
/// own forms carry antiforgery tokens. Extra allowed origins come from "Hub:AllowedOrigins".
/// </summary>
public sealed class OriginCheck(RequestDelegate next, IConfiguration configuration)
{
    private readonly HashSet<string> allowed = new(configuration.GetSection("Hub:AllowedOrigins").Get<string[]>() ?? [], StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Origin is not [{ } origin] || IsAllowed(origin, request))
        {
            return next(context);
        }
        if (request.Path.StartsWithSegments("/hubs"))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("Cross-origin connections to the hub are not allowed.");
        }
        if (request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && (request.Cookies.ContainsKey(SignInCookie) || request.Query.ContainsKey("useCookies") || request.Query.ContainsKey("useSessionCookies")))
        {
            return StreamingApi.Problem(403, "cross_origin", "Another site's page may not change anything with this browser's sign-in; call with a bearer token, or from this site.")
                .ExecuteAsync(context);
        }
        return next(context);
    }

    /// <summary>The sign-in cookie's name (Identity's application scheme).</summary>
    private const string SignInCookie = ".AspNetCore.Identity.Application";

    private bool IsAllowed(string origin, HttpRequest request) =>
        allowed.Contains(origin)
        || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
}
