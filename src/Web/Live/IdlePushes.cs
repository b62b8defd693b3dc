using Events.Streaming.Hls;

namespace Events.Web.Live;

/// <summary>
/// Ends the HTTP pushes this node received that stopped without ending their playlist (ffmpeg
/// closes its connection right after its last request, and a reset can lose that request; an
/// encoder killed or cut off sends none): after <see cref="StreamingOptions.EndIdlePushAfter"/>
/// without a file, the last published playlist is ended and becomes the replay.
/// </summary>
public sealed class IdlePushes(HlsOrigin origin, LiveGrains grains, Events.Streaming.StreamingOptions options, ILogger<IdlePushes> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromTicks(Math.Clamp(options.EndIdlePushAfter.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(10).Ticks));
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var folder in origin.IdleFolders(options.EndIdlePushAfter))
            {
                // live/{session}/{broadcast}
                if (folder.Split('/') is not ["live", var sessionId, var broadcastId])
                {
                    continue;
                }
                try
                {
                    if (await origin.FinishAsync(folder, stoppingToken) is { } ended)
                    {
                        logger.LogWarning("Session {Session}: broadcast {Broadcast} sent nothing for {Idle}; ended with its last playlist ({Seconds:F0} s)", sessionId, broadcastId, options.EndIdlePushAfter, ended.Seconds);
                        await grains.Stream(sessionId).PlaylistPublishedAsync(broadcastId, ended.Name, ended.Seconds, ended: true);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Ending idle broadcast {Folder} failed; the next pass tries again", folder);
                }
            }
        }
    }
}
