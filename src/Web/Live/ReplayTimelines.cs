using System.Collections.Concurrent;
using Events.Silo.Streams;
using Events.Streaming.Blobs;
using Events.Streaming.Hls;

namespace Events.Web.Live;

/// <summary>
/// A replay's chapters and chat in seconds of its video. The stream grain keeps the timeline in
/// broadcast time; the video starts one segment earlier than the broadcast (a segment is pushed
/// once it is complete), which the replay's playlist tells: its first segment's length, read once
/// per replay (a finished playlist does not change).
/// </summary>
public sealed class ReplayTimelines(LiveGrains grains, IBlobStore blobs)
{
    private const int MaxLeads = 10_000;
    private readonly ConcurrentDictionary<string, double> leads = new(StringComparer.Ordinal);

    public async Task<ReplayTimeline?> GetAsync(string sessionId, string broadcastId, CancellationToken cancellationToken)
    {
        var timeline = await grains.Stream(sessionId).GetTimelineAsync(broadcastId);
        if (timeline is null)
        {
            return null;
        }
        // The lead is the original recording's (a trimmed replay's times are already less its cut's offset).
        var path = StreamPaths.Folder(sessionId, broadcastId) + "/" + (timeline.OriginalPlaylist ?? timeline.Playlist);
        if (!leads.TryGetValue(path, out var lead))
        {
            await using var read = await blobs.OpenAsync(path, cancellationToken);
            if (read is null)
            {
                return null;
            }
            using var buffer = new MemoryStream();
            await read.Content.CopyToAsync(buffer, cancellationToken);
            if (HlsMaster.Parse(buffer.ToArray()) is ({ } master, _))
            {
                // A ladder: the renditions start together; the first one's first segment tells.
                await using var rendition = await blobs.OpenAsync(StreamPaths.Folder(sessionId, broadcastId) + "/" + master.Variants[0], cancellationToken);
                buffer.SetLength(0);
                if (rendition is not null)
                {
                    await rendition.Content.CopyToAsync(buffer, cancellationToken);
                }
            }
            lead = HlsPlaylist.Parse(buffer.ToArray()).Playlist?.FirstSegmentSeconds ?? 0;
            if (leads.Count >= MaxLeads)
            {
                leads.Clear();
            }
            leads[path] = lead;
        }
        return timeline.InVideoTime(lead);
    }
}
