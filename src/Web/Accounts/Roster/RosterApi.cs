using System.Globalization;
using Events.Web.Accounts.Audit;
using Events.Web.Live;
using Microsoft.AspNetCore.Identity;

namespace Events.Web.Accounts.Roster;

/// <summary>
/// The roster and the audit log over HTTP for organizers' tools (docs/live-api.md, "Roster and
/// audit"). Bearer tokens only, like the administration API: a browser's cookie is not taken.
/// </summary>
public static class RosterApi
{
    public const string Policy = "OrganizerApi";

    /// <summary>The largest roster file taken: 580,000 rows are about 40 MB.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    public static void AddOrganizerPolicies(this Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder) => builder
        .AddPolicy(Policy, p => p.AddAuthenticationSchemes(IdentityConstants.BearerScheme).RequireRole(Roles.Organizer, Roles.Administrator))
        .AddPolicy(Roles.Organizer, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme).RequireRole(Roles.Organizer, Roles.Administrator));

    public static string Summary(RosterImportResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.Rows} rows: {result.Added} added, {result.Updated} updated, {result.Seconds:0.0} s");

    public static void MapRosterApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/roster", async (HttpContext http, RosterImporter importer, AuditLog audit) =>
            {
                var type = http.Request.ContentType ?? "";
                if (!type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
                {
                    return StreamingApi.Problem(415, "unsupported_media_type", "Send the roster as 'text/csv' (UTF-8).");
                }
                if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                {
                    size.MaxRequestBodySize = MaxFileBytes;
                }
                var result = await importer.ImportAsync(http.Request.Body, http.RequestAborted);
                if (!result.Imported)
                {
                    return TypedResults.Problem(statusCode: 422, title: "roster_refused", type: "https://events.example/problems/roster_refused",
                        detail: $"Nothing was imported: {result.ProblemCount} problem(s) in the file.",
                        extensions: new Dictionary<string, object?>
                        {
                            ["problemCount"] = result.ProblemCount,
                            ["problems"] = result.Problems.Select(p => new { line = p.Line, code = p.Code, detail = p.Describe() }).ToArray(),
                        });
                }
                await audit.WriteAsync(http.User, http, AuditActions.RosterImported, "api", Summary(result));
                return Results.Ok(new { imported = true, rows = result.Rows, added = result.Added, updated = result.Updated, seconds = Math.Round(result.Seconds, 2) });
            })
            .RequireAuthorization(Policy).WithTags("Roster");

        app.MapGet("/api/rounds/{roundId}/signals", async (string roundId, AccountsDbContext db, TimeProvider clock) =>
                roundId.Length is 0 or > 64
                    ? StreamingApi.Problem(400, "invalid_argument", "'roundId' is a round id.")
                    : Results.Ok(await VoteSignals.ReportAsync(db, roundId, clock.GetUtcNow().ToUnixTimeMilliseconds())))
            .RequireAuthorization(Policy).WithTags("Roster");

        app.MapGet("/api/audit", async (string? action, string? actor, string? target, DateTimeOffset? from, DateTimeOffset? to, long? before, AuditLog audit) =>
            {
                if (action is { Length: > 0 } && !AuditActions.All.Contains(action))
                {
                    return StreamingApi.Problem(400, "invalid_argument", $"'action' must be one of {string.Join(", ", AuditActions.All)}.");
                }
                if (actor is { Length: > 100 } || target is { Length: > 200 })
                {
                    return StreamingApi.Problem(400, "invalid_argument", "'actor' is at most 100 characters, 'target' at most 200.");
                }
                var entries = await audit.SearchAsync(new AuditLog.Query(action, actor, target, from, to, before));
                return Results.Ok(entries.Select(e => new
                {
                    id = e.Id, at = DateTimeOffset.FromUnixTimeMilliseconds(e.At), actorId = e.ActorId, actorName = e.ActorName,
                    action = e.Action, target = e.Target, detail = e.Detail, address = e.Address,
                }));
            })
            .RequireAuthorization(Policy).WithTags("Roster");
    }
}
