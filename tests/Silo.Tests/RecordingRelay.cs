using Events.Silo.Live;
using Orleans;

namespace Events.Silo.Tests;

/// <summary>
/// A node's relay as the session grains see it (a grain observer), recording every update pushed
/// to it in the order it arrived. Reporting is subscribing: <see cref="ReportAsync"/> or
/// <see cref="KeepReporting"/> (a node's heartbeat; a node that stops reporting drops out after
/// <c>LiveOptions.PresenceExpiry</c>). Keep the relay referenced while it should receive: the
/// runtime holds observers weakly.
/// </summary>
public sealed class RecordingRelay : ISessionRelay
{
    private readonly object gate = new();
    private readonly List<SessionUpdate> updates = [];
    private readonly List<Heartbeat> beats = [];
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordingRelay(IGrainFactory factory, string nodeId)
    {
        NodeId = nodeId;
        Reference = factory.CreateObjectReference<ISessionRelay>(this);
    }

    public string NodeId { get; }

    public ISessionRelay Reference { get; }

    /// <summary>The least interval between updates this relay asks for in its reports, as a busy node's pacer does (0: the tick).</summary>
    public int IntervalMs { get; set; }

    public AudienceReport Report(int viewers) => new(NodeId, viewers, IntervalMs, Reference);

    public Task ReportAsync(ILiveSessionGrain session, int viewers) => session.ReportAudienceAsync(Report(viewers));

    public Task DeliverAsync(SessionUpdate update)
    {
        lock (gate)
        {
            updates.Add(update);
            var waiting = arrived;
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting.TrySetResult();
        }
        return Task.CompletedTask;
    }

    /// <summary>Everything received so far, in arrival order.</summary>
    public IReadOnlyList<SessionUpdate> Updates
    {
        get
        {
            lock (gate)
            {
                return updates.ToArray();
            }
        }
    }

    /// <summary>How many updates arrived so far: a mark for "what arrives after this".</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return updates.Count;
            }
        }
    }

    /// <summary>The chat messages received, in arrival order, from the update at <paramref name="from"/> on.</summary>
    public IReadOnlyList<ChatView> Chat(int from = 0) => Updates.Skip(from).SelectMany(u => u.Chat ?? []).ToArray();

    /// <summary>The last counts received, or null.</summary>
    public CountsView? LastCounts => Updates.LastOrDefault(u => u.Counts is not null)?.Counts;

    /// <summary>Waits for an update (at index <paramref name="from"/> or later) matching <paramref name="predicate"/>, and returns it.</summary>
    public async Task<SessionUpdate> WaitForAsync(Func<SessionUpdate, bool> predicate, string what, int from = 0, int timeoutMs = 10_000)
    {
        SessionUpdate? found = null;
        await WaitUntilAsync(all =>
        {
            found = all.Skip(from).FirstOrDefault(predicate);
            return found is not null;
        }, what, timeoutMs);
        return found!;
    }

    /// <summary>Waits until everything received so far satisfies <paramref name="condition"/>; returns what was received.</summary>
    public async Task<IReadOnlyList<SessionUpdate>> WaitUntilAsync(Func<IReadOnlyList<SessionUpdate>, bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            Task next;
            SessionUpdate[] all;
            lock (gate)
            {
                all = updates.ToArray();
                next = arrived.Task;
            }
            if (condition(all))
            {
                return all;
            }
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                Assert.Fail($"Timed out after {timeoutMs} ms waiting at relay {NodeId} for {what}; it received {all.Length} updates, the last: {all.LastOrDefault()}");
            }
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(remaining, 200))));
        }
    }

    /// <summary>Reports <paramref name="viewers"/> to the session now, then every <paramref name="every"/> (1 s by default) until disposed, as a node's relay does on its heartbeat; a failed beat is retried on the next.</summary>
    public async Task<Heartbeat> KeepReportingAsync(ILiveSessionGrain session, int viewers, TimeSpan? every = null)
    {
        await ReportAsync(session, viewers);
        var beat = new Heartbeat(this, session, viewers, every ?? TimeSpan.FromSeconds(1));
        lock (gate)
        {
            beats.Add(beat);
        }
        return beat;
    }

    /// <summary>Stops every heartbeat of this relay (before its cluster goes away).</summary>
    public async Task StopReportingAsync()
    {
        Heartbeat[] all;
        lock (gate)
        {
            all = beats.ToArray();
        }
        foreach (var beat in all)
        {
            await beat.DisposeAsync();
        }
    }

    public sealed class Heartbeat : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private int disposed;

        internal Heartbeat(RecordingRelay relay, ILiveSessionGrain session, int viewers, TimeSpan every)
        {
            Viewers = viewers;
            loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(every, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    try
                    {
                        await relay.ReportAsync(session, Viewers);
                    }
                    catch (Exception) when (!stop.IsCancellationRequested)
                    {
                        // The session's silo is gone or busy: the next beat reports again, as a node's relay does.
                    }
                }
            });
        }

        /// <summary>The viewers the next beats report.</summary>
        public volatile int Viewers;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                await loop.ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
            stop.Cancel();
            try
            {
                await loop;
            }
            catch (Exception)
            {
                // A report in flight when the cluster went away.
            }
        }
    }
}
