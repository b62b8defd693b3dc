using System.Collections.Concurrent;
using System.Diagnostics;
using Events.Silo;
using Events.Silo.Live;
using Microsoft.AspNetCore.SignalR;
using Orleans.Runtime;

namespace Events.Web.Live;

/// <summary>
/// This node's relay, the one grain observer through which session grains reach this node's
/// viewers. It counts this node's viewers per session and reports them to each session's grain on
/// a heartbeat (which also keeps it subscribed: a node that the cluster declares dead, or that stays
/// silent too long, drops out of the sum and of the grain's pushes); it sends each pushed update to the session's SignalR group once for
/// all its connections, dropping any older than the last it sent. The pace it asks for grows while
/// fan-out keeps this node's processor busy (<see cref="FanOutPacer"/>).
/// </summary>
public sealed class SessionRelay(
    IGrainFactory grains,
    IHubContext<LiveHub, ILiveClient> hub,
    LiveOptions options,
    RateGate rates,
    LiveMeters meters,
    ILocalSiloDetails silo,
    ILogger<SessionRelay> logger) : BackgroundService, ISessionRelay
{
    private readonly ConcurrentDictionary<string, LocalAudience> sessions = new(StringComparer.Ordinal);
    private readonly FanOutPacer pacer = new(options.Tick, options.MaxTick);
    private readonly TaskCompletionSource<ISessionRelay> reference = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long deliveries;

    /// <summary>This node's name in the reports: its silo's address, unique to this run of the silo.</summary>
    public string NodeId => silo.SiloAddress.ToString();

    /// <summary>Viewers connected to this node, over all sessions.</summary>
    public long LocalViewers => sessions.Values.Sum(a => (long)Volatile.Read(ref a.Viewers));

    /// <summary>A connection joined a session here: counts it and returns this node's report to send with the join.</summary>
    public async Task<AudienceReport> JoinedAsync(string sessionId)
    {
        var relay = await reference.Task;
        while (true)
        {
            var audience = sessions.GetOrAdd(sessionId, _ => new LocalAudience());
            lock (audience)
            {
                if (audience.Removed)
                {
                    continue;
                }
                audience.Viewers++;
                return new AudienceReport(NodeId, audience.Viewers, IntervalMs, relay);
            }
        }
    }

    /// <summary>This node's report for a session, as it is now (for a connection that joins again).</summary>
    public async Task<AudienceReport> ReportOfAsync(string sessionId) =>
        new(NodeId, sessions.TryGetValue(sessionId, out var a) ? Volatile.Read(ref a.Viewers) : 0, IntervalMs, await reference.Task);

    public void Left(string sessionId)
    {
        if (sessions.TryGetValue(sessionId, out var audience))
        {
            lock (audience)
            {
                audience.Viewers = Math.Max(0, audience.Viewers - 1);
            }
        }
    }

    private int IntervalMs => (int)pacer.Interval.TotalMilliseconds;

    /// <summary>
    /// Sends a pushed update to this node's viewers of its session, in sequence order. Pushes come
    /// on several threads at once and can overtake each other (under load, by tens of
    /// milliseconds): an update that arrives after a later one would be a lost update for every
    /// viewer here, and a later one sent first a false gap, each making every viewer re-join (a
    /// snapshot apiece). So an update that skips ahead of the next expected is held (at most
    /// <see cref="ReorderWait"/>, at most <see cref="MaxHeld"/> of them) for the missing ones to
    /// arrive, then sent in order; a gap that is real (a push that never comes, a new activation's
    /// new numbers) goes out after the wait, and the viewers re-join. The check and the start of
    /// each group send happen under one lock per session: a group send queues its frame on every
    /// connection before it returns, so each connection is handed the updates in order.
    /// </summary>
    public Task DeliverAsync(SessionUpdate update)
    {
        if (!sessions.TryGetValue(update.SessionId, out var audience))
        {
            return Task.CompletedTask;
        }
        lock (audience.SendGate)
        {
            if (update.Seq <= audience.LastSeq || audience.Held.ContainsKey(update.Seq))
            {
                // Older than one already sent: the newer one carried it (or it came twice).
                return Task.CompletedTask;
            }
            if (audience.LastSeq == 0 || update.Seq == audience.LastSeq + 1)
            {
                Send(audience, update);
                SendHeldInOrder(audience, untilGap: true);
                return Task.CompletedTask;
            }
            if (audience.Held.Count == 0)
            {
                audience.HeldSince = Environment.TickCount64;
            }
            audience.Held.Add(update.Seq, update);
            if (audience.Held.Count >= MaxHeld)
            {
                SendHeldInOrder(audience, untilGap: false);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>How long an update that skipped ahead waits for the ones before it.</summary>
    public static readonly TimeSpan ReorderWait = TimeSpan.FromMilliseconds(100);

    /// <summary>The most updates held for one session while one before them is missing.</summary>
    public const int MaxHeld = 32;

    /// <summary>Under the session's send gate: sends the held updates from the next expected on (all of them, gaps and all, unless <paramref name="untilGap"/>).</summary>
    private void SendHeldInOrder(LocalAudience audience, bool untilGap)
    {
        while (audience.Held.Count > 0)
        {
            var next = audience.Held.GetValueAtIndex(0);
            if (untilGap && next.Seq != audience.LastSeq + 1)
            {
                return;
            }
            audience.Held.RemoveAt(0);
            Send(audience, next);
        }
    }

    /// <summary>Sends what has waited longer than <see cref="ReorderWait"/> for an update that did not come.</summary>
    private void SendOverdue(long now)
    {
        foreach (var audience in sessions.Values)
        {
            if (audience.Held.Count == 0)
            {
                continue;
            }
            lock (audience.SendGate)
            {
                if (audience.Held.Count > 0 && now - audience.HeldSince >= ReorderWait.TotalMilliseconds)
                {
                    SendHeldInOrder(audience, untilGap: false);
                }
            }
        }
    }

    /// <summary>Under the session's send gate.</summary>
    private void Send(LocalAudience audience, SessionUpdate update)
    {
        audience.LastSeq = update.Seq;
        Interlocked.Add(ref deliveries, Volatile.Read(ref audience.Viewers));
        var send = StartSend(update);
        if (!send.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(send, update);
        }
    }

    private Task StartSend(SessionUpdate update)
    {
        try
        {
            return hub.Clients.Group(LiveHub.GroupOf(update.SessionId)).Update(update);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private async Task ObserveAsync(Task send, SessionUpdate update)
    {
        try
        {
            await send;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Sending update {Seq} of session {Session} failed", update.Seq, update.SessionId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        reference.TrySetResult(grains.CreateObjectReference<ISessionRelay>(this));
        meters.ObserveViewers(() => LocalViewers);
        meters.ObserveUpdateInterval(() => pacer.Interval.TotalMilliseconds);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var measuredAt = Stopwatch.GetTimestamp();
        var cpuAtMeasure = Environment.CpuUsage.TotalTime;
        var sweptAt = Environment.TickCount64;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Report(Environment.TickCount64);
            SendOverdue(Environment.TickCount64);
            var elapsed = Stopwatch.GetElapsedTime(measuredAt);
            if (elapsed >= TimeSpan.FromSeconds(1))
            {
                var cpu = Environment.CpuUsage.TotalTime;
                pacer.Adjust((cpu - cpuAtMeasure) / (elapsed * Environment.ProcessorCount), Interlocked.Exchange(ref deliveries, 0) / elapsed.TotalSeconds);
                measuredAt = Stopwatch.GetTimestamp();
                cpuAtMeasure = cpu;
            }
            if (Environment.TickCount64 - sweptAt > 60_000)
            {
                sweptAt = Environment.TickCount64;
                rates.Sweep(TimeSpan.FromMinutes(5));
            }
        }
    }

    /// <summary>
    /// Reports each session whose count changed (at most once per tick) or whose last report is a
    /// heartbeat old; a session with no viewers left is reported once more, then forgotten.
    /// </summary>
    private void Report(long now)
    {
        if (!reference.Task.IsCompletedSuccessfully)
        {
            return;
        }
        var relay = reference.Task.Result;
        foreach (var (sessionId, audience) in sessions)
        {
            int viewers;
            lock (audience)
            {
                viewers = audience.Viewers;
                var changed = viewers != audience.ReportedViewers;
                var age = now - audience.ReportedAt;
                // Forgotten only once the grain took the zero: a lost last report would leave this
                // node's old count in the sum until the grain expires it.
                if (viewers == 0 && !changed && audience.AckedViewers == 0 && age > options.Tick.TotalMilliseconds)
                {
                    audience.Removed = true;
                    sessions.TryRemove(new KeyValuePair<string, LocalAudience>(sessionId, audience));
                    continue;
                }
                if (!(changed && age >= options.Tick.TotalMilliseconds) && age < options.PresenceHeartbeat.TotalMilliseconds)
                {
                    continue;
                }
                audience.ReportedViewers = viewers;
                audience.ReportedAt = now;
            }
            _ = ReportAsync(sessionId, audience, new AudienceReport(NodeId, viewers, IntervalMs, relay));
        }
    }

    private async Task ReportAsync(string sessionId, LocalAudience audience, AudienceReport report)
    {
        try
        {
            await grains.GetGrain<ILiveSessionGrain>(sessionId).ReportAudienceAsync(report);
            lock (audience)
            {
                audience.AckedViewers = report.Viewers;
            }
            if (audience.Failing)
            {
                audience.Failing = false;
                logger.LogInformation("Reporting the audience of session {Session} works again", sessionId);
            }
        }
        catch (Exception e)
        {
            // The first failure of a run of them is an operator's business: while reports fail, the
            // session's count keeps this node's last report (late) while the cluster lists the node as
            // alive, for at most five times Live:PresenceExpiry; after that its viewers and pushes drop out.
            if (!audience.Failing)
            {
                audience.Failing = true;
                logger.LogWarning(e, "Reporting the audience of session {Session} failed; the session counts this node's last report until a report succeeds or it expires", sessionId);
            }
            else
            {
                logger.LogDebug(e, "Reporting the audience of session {Session} failed again", sessionId);
            }
            lock (audience)
            {
                audience.ReportedViewers = -1;
                audience.AckedViewers = -1;
                audience.ReportedAt = 0;
            }
        }
    }

    /// <summary>On the way down this node's viewers leave every sum at once; their clients reconnect to another node.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var sessionId in sessions.Keys)
        {
            try
            {
                await grains.GetGrain<ILiveSessionGrain>(sessionId).NodeLeftAsync(NodeId);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Leaving session {Session} on shutdown failed", sessionId);
            }
        }
        if (reference.Task.IsCompletedSuccessfully)
        {
            grains.DeleteObjectReference<ISessionRelay>(reference.Task.Result);
        }
    }

    private sealed class LocalAudience
    {
        public int Viewers;
        public int ReportedViewers = -1;

        /// <summary>The viewers of the last report the session's grain took (-1: none yet, or the last failed).</summary>
        public int AckedViewers = -1;
        public long ReportedAt;

        /// <summary>Held while an update is checked against <see cref="LastSeq"/> and its group send started.</summary>
        public readonly Lock SendGate = new();

        /// <summary>The last update sent (under <see cref="SendGate"/>).</summary>
        public long LastSeq;

        /// <summary>Updates that skipped ahead, waiting for the ones before them (under <see cref="SendGate"/>; read unlocked only for its count).</summary>
        public readonly SortedList<long, SessionUpdate> Held = [];

        /// <summary>When the oldest of <see cref="Held"/> began waiting.</summary>
        public long HeldSince;

        public bool Removed;

        /// <summary>The last report failed (logged once at Warning until one succeeds).</summary>
        public volatile bool Failing;
    }
}
