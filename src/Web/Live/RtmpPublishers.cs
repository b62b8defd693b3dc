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
