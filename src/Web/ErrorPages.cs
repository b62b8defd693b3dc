namespace Events.Web;

/// <summary>
/// Errors answer people with a page in their language (<c>/error/{code}</c>) and programs with
/// ProblemDetails. A request is a person's when it accepts HTML and is not for one of the
/// platform's programmatic paths (the account and other APIs, the hub, the HLS origin, webhooks).
/// </summary>
public static class ErrorPages
{
    private static readonly string[] ProgramPaths = ["/api", "/hubs", "/hls", "/ingest", "/livekit", "/bench", "/health", EventsHost.DashboardPath];

    public static bool IsForPerson(HttpContext context)
    {
        var path = context.Request.Path;
        if (ProgramPaths.Any(p => path.StartsWithSegments(p)) || (path.StartsWithSegments("/sessions") && path.Value!.EndsWith("/recordings", StringComparison.Ordinal)))
        {
            return false;
        }
        return context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
    }

    public static void UseErrorPages(this WebApplication app)
    {
        app.UseWhen(IsForPerson, person =>
        {
            person.UseExceptionHandler("/error/500");
            person.UseStatusCodePagesWithReExecute("/error/{0}");
        });
        app.UseWhen(context => !IsForPerson(context), program =>
        {
            program.UseExceptionHandler();
            program.UseStatusCodePages();
        });
    }
}
