using System.Collections.Concurrent;
using Events.Silo;
using Events.Silo.Store;

namespace Events.Web.Pages;

/// <summary>
/// Session statuses for listing pages, read from the store at most once every two seconds per
/// session: a home page viewed thousands of times a minute must not cost a store read per session
/// per view. Watch pages get the status live from the session's grain instead.
/// </summary>
public sealed class SessionStatuses(ISessionStore store, EventClock clock)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (SessionStatus Status, DateTimeOffset ReadAt)> cache = new(StringComparer.Ordinal);

    public async Task<SessionStatus> GetAsync(string sessionId)
    {
        var now = clock.GetUtcNow();
        if (cache.TryGetValue(sessionId, out var entry) && now - entry.ReadAt < Fresh)
        {
            return entry.Status;
        }
        var status = (await store.GetSessionAsync(sessionId)).Status;
        cache[sessionId] = (status, now);
        return status;
    }
}
