using System.Collections.Concurrent;
using Events.Silo;
using Events.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Fair;

/// <summary>
/// Whether a member represents the company whose booth a session is: representatives moderate
/// their own booth's chat (and only theirs). Answers are kept for half a minute, so a booth's busy
/// chat does not ask the database per message; a representative removed loses it within that time.
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
        known[(userId, company)] = (represents, now);
        return represents;
    }

    /// <summary>The caller as a moderator of the booth when they represent its company; otherwise as they are.</summary>
    public async Task<Caller> InSessionAsync(Caller caller, string sessionId) =>
        !caller.CanModerate && caller.IsSignedIn && BoothSessions.CompanyOf(sessionId) is { } company && await RepresentsAsync(caller.UserId, company)
            ? caller with { Roles = caller.Roles | LiveRoles.Moderator }
            : caller;
}
