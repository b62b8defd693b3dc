using System.Collections.Concurrent;
using Events.Silo.Streams;
using Events.Streaming.Hls;

namespace Events.Web.Live;

/// <summary>
/// The RTMP publishers this node's nginx accepted, and what happens when one leaves: its ffmpeg
/// normally ends the playlist within a second or two (at the end of its input); if it has not
/// after <see cref="Grace"/> (ffmpeg killed, the connection lost mid-segment), the origin ends the
/// playlist and the broadcast becomes its replay.
/// </summary>
public sealed class RtmpPublishers(HlsOrigin origin, LiveGrains grains, ILogger<RtmpPublishers> logger)
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, IngestTicket> live = new(StringComparer.Ordinal);

    /// <summary>Takes a publisher, unless one is live on the same stream key already (it keeps the stream).</summary>
    public bool TryStart(string name, IngestTicket ticket) => live.TryAdd(name, ticket);

    public void Stopped(string name)
    {
        if (live.TryRemove(name, out var ticket))
        {
            _ = FinishLaterAsync(ticket);
        }
    }

    private async Task FinishLaterAsync(IngestTicket ticket)
    {
        try
        {
            await Task.Delay(Grace);
            if (await origin.FinishAsync(ticket.Folder, CancellationToken.None) is { } ended)
            {
                await grains.Stream(ticket.SessionId).PlaylistPublishedAsync(ticket.BroadcastId, ended.Name, ended.Seconds, ended: true);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Ending broadcast {Broadcast} of session {Session} after its RTMP publisher left failed", ticket.BroadcastId, ticket.SessionId);
        }
    }
}

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
