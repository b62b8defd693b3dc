using System.Collections.Concurrent;
using Events.Silo;
using Events.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Fair;

/// <summary>
/// Whether a member represents the company whose booth a session is: representatives moderate
/// their own booth's chat (and only theirs). A yes is kept for half a minute, so a representative
/// moderating a busy chat does not ask the database per action; a representative removed loses it
/// within that time. A no is not kept: an invitation accepted works at once.
/// </summary>
public sealed class BoothStaff(IServiceScopeFactory scopes, TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<(string User, string Company), (bool Represents, DateTimeOffset At)> known = new();

    public async Task<bool> RepresentsAsync(string? userId, string company)
    {
        if (userId is null)
        {
            return false;
        }
        var now = time.GetUtcNow();
        if (known.TryGetValue((userId, company), out var answer) && now - answer.At < Keep)
        {
            return answer.Represents;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var represents = await db.CompanyReps.AnyAsync(r => r.UserId == userId && r.Company == company);
        if (represents)
        {
            known[(userId, company)] = (true, now);
        }
        else
        {
            known.TryRemove((userId, company), out _);
        }
        return represents;
    }

    /// <summary>The caller as a moderator of the booth when they represent its company; otherwise as they are.</summary>
    public async Task<Caller> InSessionAsync(Caller caller, string sessionId) =>
        !caller.CanModerate && caller.IsSignedIn && BoothSessions.CompanyOf(sessionId) is { } company && await RepresentsAsync(caller.UserId, company)
            ? caller with { Roles = caller.Roles | LiveRoles.Moderator }
            : caller;
}
