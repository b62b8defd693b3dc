using Events.Silo;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

/// <summary>
/// This node's notifier: on every tick it asks each active session grain for what changed and
/// sends it as one group message. A group send serializes once for all of the group's
/// connections; sends are not awaited one after another, so a session with a slow client
/// does not hold back the others.
/// </summary>
public sealed class LiveBroadcaster(LiveEngine engine, IHubContext<LiveHub, ILiveClient> hub, RateGate rates, LiveMeters meters, ILogger<LiveBroadcaster> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(engine.Options.Tick);
        var sinceSweep = DateTime.UtcNow;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var grain in engine.Sessions.Active)
            {
                try
                {
                    if (await grain.CollectUpdateAsync() is { } update)
                    {
                        meters.RecordUpdateSent();
                        _ = SendAsync(update);
                    }
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Collecting the update of session {Session} failed", grain.Key);
                }
            }
            if (DateTime.UtcNow - sinceSweep > TimeSpan.FromMinutes(1))
            {
                sinceSweep = DateTime.UtcNow;
                rates.Sweep(TimeSpan.FromMinutes(5));
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
