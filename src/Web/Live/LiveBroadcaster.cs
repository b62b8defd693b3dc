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

    /// <summary>The current least interval between two updates of one session.</summary>
    public TimeSpan Interval => pacer.Interval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, engine.Options.Tick.Ticks / 4));
        using var timer = new PeriodicTimer(poll);
        var lastSent = new Dictionary<string, long>(StringComparer.Ordinal);
        var sinceSweep = Environment.TickCount64;
        var measuredAt = Stopwatch.GetTimestamp();
        var cpuAtMeasure = Environment.CpuUsage.TotalTime;
        var deliveries = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Environment.TickCount64;
            var interval = (long)pacer.Interval.TotalMilliseconds;
            foreach (var grain in engine.Sessions.Active)
            {
                if (lastSent.TryGetValue(grain.Key, out var at) && now - at < interval)
                {
                    continue;
                }
                try
                {
                    if (await grain.CollectUpdateAsync() is { } update)
                    {
                        lastSent[grain.Key] = now;
                        deliveries += grain.LocalViewers;
                        meters.RecordUpdateSent();
                        _ = SendAsync(update);
                    }
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Collecting the update of session {Session} failed", grain.Key);
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
