using System.Collections.Concurrent;
using Events.Silo.Live;
using Events.Silo.Streams;
using Events.Silo.Voting;

namespace Events.Web.Live;

/// <summary>
/// The node's references to session and round grains, kept per key. Resolving a reference
/// (<c>GetGrain</c>) formats the grain interface's type name on every call, which a vote storm
/// paid once per vote; a reference is a small, immutable handle that stays valid across
/// activations and nodes, so one per key is enough. Bounded: past <see cref="Capacity"/> keys the
/// cache starts again, so made-up ids cannot grow it without end.
/// </summary>
public sealed class LiveGrains(IGrainFactory grains)
{
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, ILiveSessionGrain> sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IVoteRoundGrain> rounds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IStreamGrain> streams = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Events.Silo.Fair.IBoothQueueGrain> queues = new(StringComparer.Ordinal);

    public ILiveSessionGrain Session(string sessionId) => Get(sessions, sessionId, static (g, id) => g.GetGrain<ILiveSessionGrain>(id));

    public IVoteRoundGrain Round(string roundId) => Get(rounds, roundId, static (g, id) => g.GetGrain<IVoteRoundGrain>(id));

    public IStreamGrain Stream(string sessionId) => Get(streams, sessionId, static (g, id) => g.GetGrain<IStreamGrain>(id));

    public Events.Silo.Fair.IBoothQueueGrain Queue(string company) => Get(queues, company, static (g, id) => g.GetGrain<Events.Silo.Fair.IBoothQueueGrain>(id));

    private T Get<T>(ConcurrentDictionary<string, T> cache, string key, Func<IGrainFactory, string, T> resolve)
    {
        if (cache.TryGetValue(key, out var known))
        {
            return known;
        }
        if (cache.Count >= Capacity)
        {
            cache.Clear();
        }
        return cache.GetOrAdd(key, resolve(grains, key));
    }
}
