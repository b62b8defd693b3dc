using System.Diagnostics;
using Events.Silo;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

/// <summary>
/// This node's notifier: it polls the active session grains a few times per tick and sends what
/// changed as one group message per session, paced by <see cref="FanOutPacer"/> (at most one
/// update per session per interval; the first change after a quiet spell goes at once). A group
/// send serializes once for all of the group's connections; sends are not awaited one after
/// another, so a session with a slow client does not hold back the others.
/// </summary>
public sealed class LiveBroadcaster(LiveEngine engine, IHubContext<LiveHub, ILiveClient> hub, RateGate rates, LiveMeters meters, ILogger<LiveBroadcaster> logger) : BackgroundService
{
    private readonly FanOutPacer pacer = new(engine.Options.Tick, engine.Options.MaxTick);

    // Touched only by the loop: when each session's last update went out, deliveries since the last measure.
    private readonly Dictionary<string, long> lastSent = new(StringComparer.Ordinal);
    private long deliveries;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        meters.ObserveUpdateInterval(() => pacer.Interval.TotalMilliseconds);
        var poll = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, engine.Options.Tick.Ticks / 4));
        using var timer = new PeriodicTimer(poll);
        var collecting = new Dictionary<string, (Silo.Live.LiveSessionGrain Grain, Task<Silo.Live.SessionUpdate?> Task)>(StringComparer.Ordinal);
        var sinceSweep = Environment.TickCount64;
        var measuredAt = Stopwatch.GetTimestamp();
        var cpuAtMeasure = Environment.CpuUsage.TotalTime;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Environment.TickCount64;
            var interval = (long)pacer.Interval.TotalMilliseconds;
            // A session whose collection waits (a store read on behalf of another node's votes)
            // is looked at again on a later poll; it holds back no other session.
            foreach (var (key, pending) in collecting)
            {
                if (pending.Task.IsCompleted)
                {
                    collecting.Remove(key);
                    Finish(pending.Grain, pending.Task, now);
                }
            }
            foreach (var grain in engine.Sessions.Active)
            {
                if (collecting.ContainsKey(grain.Key) || (lastSent.TryGetValue(grain.Key, out var at) && now - at < interval))
                {
                    continue;
                }
                var collected = grain.CollectUpdateAsync();
                if (collected.IsCompleted)
                {
                    Finish(grain, collected, now);
                }
                else
                {
                    collecting[grain.Key] = (grain, collected);
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(measuredAt);
            if (elapsed >= TimeSpan.FromSeconds(1))
            {
                var cpu = Environment.CpuUsage.TotalTime;
                pacer.Adjust((cpu - cpuAtMeasure) / (elapsed * Environment.ProcessorCount), deliveries / elapsed.TotalSeconds);
                measuredAt = Stopwatch.GetTimestamp();
                cpuAtMeasure = cpu;
                deliveries = 0;
            }
            if (now - sinceSweep > 60_000)
            {
                sinceSweep = now;
                rates.Sweep(TimeSpan.FromMinutes(5));
                foreach (var (key, at) in lastSent)
                {
                    if (now - at > 60_000)
                    {
                        lastSent.Remove(key);
                    }
                }
            }
        }
    }

    private void Finish(Silo.Live.LiveSessionGrain grain, Task<Silo.Live.SessionUpdate?> collected, long now)
    {
        if (collected.IsFaulted)
        {
            logger.LogWarning(collected.Exception, "Collecting the update of session {Session} failed", grain.Key);
            return;
        }
        if (collected.IsCompletedSuccessfully && collected.Result is { } update)
        {
            lastSent[grain.Key] = now;
            deliveries += grain.LocalViewers;
            meters.RecordUpdateSent();
            _ = SendAsync(update);
        }
    }

    private async Task SendAsync(Silo.Live.SessionUpdate update)
    {
        try
        {
            await hub.Clients.Group(LiveHub.GroupOf(update.SessionId)).Update(update);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Sending update {Seq} of session {Session} failed", update.Seq, update.SessionId);
        }
    }
}
