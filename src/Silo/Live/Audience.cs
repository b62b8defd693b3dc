using Events.Silo.Store;
using Orleans.Runtime;

namespace Events.Silo.Live;

/// <summary>
/// Who watches a session. Each node reports how many of its viewers watch (a heartbeat); the
/// current count is the sum over the nodes still reporting. Views and first-time viewers are
/// counted on join and written to the store in batches (<see cref="TakeFlush"/>); the peak is the
/// most viewers seen at once. Touched only inside the session grain's turns.
/// </summary>
internal sealed class Audience(LiveOptions options)
{
    private readonly Dictionary<string, NodeReport> nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> knownViewers = new(StringComparer.Ordinal);
    private readonly HashSet<string> unflushedViewers = new(StringComparer.Ordinal);
    private SessionCounters counters = new(0, 0, 0);
    private long unflushedViews;
    private long unflushedReplayViews;
    private long peakSeen;
    private bool flushing;
    private long lastFlush = Environment.TickCount64;

    /// <summary>Set whenever a figure viewers see may have changed; cleared by the update that sends it.</summary>
    public bool Changed { get; set; }

    public void Load(SessionCounters stored) => counters = stored;

    public IEnumerable<ISessionRelay> Relays => nodes.Values.Select(n => n.Relay);

    public int NodeCount => nodes.Count;

    /// <summary>The least interval between updates that every reporting node can take.</summary>
    public TimeSpan Interval
    {
        get
        {
            var ms = options.Tick.TotalMilliseconds;
            foreach (var n in nodes.Values)
            {
                ms = Math.Max(ms, n.IntervalMs);
            }
            return TimeSpan.FromMilliseconds(Math.Min(ms, options.MaxTick.TotalMilliseconds));
        }
    }

    public long Current
    {
        get
        {
            long sum = 0;
            foreach (var n in nodes.Values)
            {
                sum += n.Viewers;
            }
            return sum;
        }
    }

    public void Report(AudienceReport report, long now)
    {
        if (!nodes.TryGetValue(report.NodeId, out var earlier) || earlier.Viewers != report.Viewers)
        {
            Changed = true;
        }
        nodes[report.NodeId] = new NodeReport(Math.Max(0, report.Viewers), report.IntervalMs, report.Relay, now);
        peakSeen = Math.Max(peakSeen, Current);
    }

    public void Forget(string nodeId)
    {
        if (nodes.Remove(nodeId))
        {
            Changed = true;
        }
    }

    /// <summary>
    /// Drops the nodes that are gone. A node is named by its silo's address: one the cluster lists
    /// as shutting down, stopping or dead leaves at once; one it still lists as active keeps its last
    /// report for <see cref="ActiveNodeExpiryFactor"/> times <c>Live:PresenceExpiry</c> (an
    /// overloaded node's reports come late, and its viewers are still there: the count is late, not
    /// wrong); any other name leaves after <c>Live:PresenceExpiry</c> of silence.
    /// </summary>
    public void Expire(long now, Func<string, SiloStatus> statusOf)
    {
        List<string>? gone = null;
        foreach (var (id, n) in nodes)
        {
            var silent = now - n.SeenAt;
            var expiry = options.PresenceExpiry.TotalMilliseconds;
            var status = statusOf(id);
            var leaves = status switch
            {
                SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead => true,
                SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created => silent > expiry * ActiveNodeExpiryFactor,
                _ => silent > expiry,
            };
            if (leaves)
            {
                (gone ??= []).Add(id);
            }
        }
        foreach (var id in gone ?? [])
        {
            nodes.Remove(id);
            Changed = true;
        }
    }

    /// <summary>How many times <c>Live:PresenceExpiry</c> a node the cluster lists as alive may stay silent before it leaves the sum.</summary>
    public const int ActiveNodeExpiryFactor = 5;

    /// <summary>A view; <paramref name="replay"/> when the session is showing its replay (counted apart from live views too).</summary>
    public void CountView(string viewerKey, bool replay)
    {
        unflushedViews++;
        if (replay)
        {
            unflushedReplayViews++;
        }
        if (knownViewers.Add(viewerKey))
        {
            unflushedViewers.Add(viewerKey);
        }
        Changed = true;
    }

    public CountsView Counts() =>
        new(Current, Math.Max(counters.PeakViewers, peakSeen), counters.UniqueViewers, counters.TotalViews + unflushedViews, counters.ReplayViews + unflushedReplayViews);

    /// <summary>Nothing waits to be written.</summary>
    public bool Flushed => !flushing && unflushedViewers.Count == 0 && unflushedViews == 0 && peakSeen <= counters.PeakViewers;

    /// <summary>What to write now, at most once per <c>Live:PresenceFlush</c> and one write at a time; null when nothing or not yet.</summary>
    public PresenceFlush? TakeFlush(long now, bool force = false)
    {
        if (flushing || (!force && now - lastFlush < options.PresenceFlush.TotalMilliseconds) || Flushed)
        {
            return null;
        }
        flushing = true;
        lastFlush = now;
        return new PresenceFlush(unflushedViewers.ToArray(), unflushedViews, unflushedReplayViews, peakSeen);
    }

    public void FlushSucceeded(PresenceFlush flush, SessionCounters stored)
    {
        counters = stored;
        unflushedViews -= flush.Views;
        unflushedReplayViews -= flush.ReplayViews;
        unflushedViewers.ExceptWith(flush.ViewerKeys);
        flushing = false;
        Changed = true;
    }

    /// <summary>Kept unflushed: the next tick tries again.</summary>
    public void FlushFailed() => flushing = false;

    private sealed record NodeReport(int Viewers, int IntervalMs, ISessionRelay Relay, long SeenAt);
}

/// <summary>Views, first-time viewers and the peak to add to the store.</summary>
internal sealed record PresenceFlush(string[] ViewerKeys, long Views, long ReplayViews, long PeakCandidate);
