using System.Security.Claims;
using Events.Silo;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts.Audit;

/// <summary>
/// Writes and reads the audit log (<c>audit_log</c> in the accounts database, shared by every
/// node). A failed write is logged as an error and does not undo the action it records, which
/// has already happened in a grain; verifications write their row in their own transaction.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider clock, ILogger<AuditLog> logger)
{
    public const int PageSize = 100;

    public Task WriteAsync(ClaimsPrincipal actor, HttpContext? http, string action, string? target, string? detail = null) =>
        WriteAsync(CallerFactory.From(actor), http?.Connection.RemoteIpAddress?.ToString(), action, target, detail);

    public async Task WriteAsync(Caller actor, string? address, string action, string? target, string? detail = null)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
            db.Audit.Add(Entry(actor, address, action, target, detail));
            await db.SaveChangesAsync();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Writing the audit entry {Action} by {Actor} on {Target} failed", action, actor.UserId, target);
        }
    }

    public AuditEntry Entry(Caller actor, string? address, string action, string? target, string? detail) => new()
    {
        At = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        ActorId = actor.UserId,
        ActorName = actor.IsSignedIn ? actor.DisplayName : "",
        Action = action,
        Target = Cut(target, 200),
        Detail = Cut(detail, 500),
        Address = address,
    };

    /// <summary>Filters of the organizer's page; every one optional. <paramref name="Before"/> pages back from an entry id.</summary>
    public sealed record Query(string? Action, string? Actor, string? Target, DateTimeOffset? From, DateTimeOffset? To, long? Before);

    public async Task<IReadOnlyList<AuditEntry>> SearchAsync(Query query)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        IQueryable<AuditEntry> q = db.Audit.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            q = q.Where(e => e.Action == query.Action);
        }
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim();
            q = q.Where(e => e.ActorId == actor || e.ActorName.Contains(actor));
        }
        if (!string.IsNullOrWhiteSpace(query.Target))
        {
            var target = query.Target.Trim();
            q = q.Where(e => e.Target != null && e.Target.Contains(target));
        }
        if (query.From is { } from)
        {
            var ms = from.ToUnixTimeMilliseconds();
            q = q.Where(e => e.At >= ms);
        }
        if (query.To is { } to)
        {
            var ms = to.ToUnixTimeMilliseconds();
            q = q.Where(e => e.At < ms);
        }
        if (query.Before is { } before)
        {
            q = q.Where(e => e.Id < before);
        }
        return await q.OrderByDescending(e => e.Id).Take(PageSize).ToListAsync();
    }

    private static string? Cut(string? text, int max) => text is { Length: > 0 } && text.Length > max ? text[..max] : text;
}
