using System.Text;
using Events.Silo;
using Events.Silo.Store;
using Events.Silo.Streams;
using Events.Streaming;
using Events.Streaming.Blobs;
using Events.Streaming.Hls;

namespace Events.Web.Live;

/// <summary>
/// An organizer's edits of a replay: a trim writes a new playlist of the segments kept (the segments
/// stay as they are, immutable and cached) under a new name, so a cache holding the old playlist
/// cannot mix the two; hiding takes it out of the library and the watch page, and its files stop
/// being served within <see cref="HiddenCheckEvery"/> on every node.
/// </summary>
public sealed class ReplayEditor(LiveGrains grains, IBlobStore blobs, IStreamStore store, StreamingOptions options, TimeProvider time)
{
    public static readonly TimeSpan HiddenCheckEvery = TimeSpan.FromSeconds(15);

    private HashSet<string> hidden = new(StringComparer.Ordinal);
    private long hiddenReadAt;
    private volatile bool hiddenStale = true;
    private readonly SemaphoreSlim reading = new(1, 1);

    public async Task<Outcome<ReplayAdminView>> EditAsync(Caller organizer, string sessionId, string broadcastId, double trimStart, double? trimEnd, bool hide, CancellationToken cancellationToken)
    {
        var stream = grains.Stream(sessionId);
        var listed = await stream.ListReplaysAsync(organizer);
        if (!listed.IsOk)
        {
            return listed.Error!;
        }
        if (listed.Value!.FirstOrDefault(r => r.BroadcastId == broadcastId) is not { } replay)
        {
            return LiveError.UnknownReplay(broadcastId);
        }
        ReplayCut cut;
        if (trimStart <= 0 && trimEnd is null)
        {
            cut = new ReplayCut(replay.OriginalPlaylist, 0, replay.OriginalSeconds, 0, null, hide);
        }
        else
        {
            var folder = StreamPaths.Folder(sessionId, broadcastId);
            await using var read = await blobs.OpenAsync(folder + "/" + replay.OriginalPlaylist, cancellationToken);
            if (read is null)
            {
                return LiveError.UnknownReplay(broadcastId);
            }
            using var reader = new StreamReader(read.Content, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(cancellationToken);
            if (text.Contains("#EXT-X-STREAM-INF", StringComparison.Ordinal))
            {
                return LiveError.InvalidArgument(nameof(trimStart), "cannot cut a replay of several renditions (a rendition ladder) yet; hide it, or replace it with an edited file");
            }
            var trimmed = HlsTrim.Cut(text, trimStart, trimEnd);
            if (trimmed is null)
            {
                return LiveError.InvalidArgument(nameof(trimStart), $"keeps nothing of a {replay.OriginalSeconds:F0}-second replay");
            }
            var name = $"replay-{time.GetUtcNow().ToUnixTimeMilliseconds()}.m3u8";
            await blobs.PutAsync(folder + "/" + name, new MemoryStream(Encoding.UTF8.GetBytes(trimmed.Text)), options.MaxPlaylistBytes, cancellationToken);
            cut = new ReplayCut(name, trimmed.Offset, trimmed.Seconds, trimStart, trimEnd, hide);
        }
        var edited = await stream.EditReplayAsync(organizer, broadcastId, cut);
        if (edited.IsOk)
        {
            // This node serves (or stops serving) it at once; the others within HiddenCheckEvery.
            hiddenStale = true;
        }
        return edited;
    }

    /// <summary>Whether the broadcast's replay is hidden (read from the store at most every <see cref="HiddenCheckEvery"/>).</summary>
    public async Task<bool> IsHiddenAsync(string sessionId, string broadcastId)
    {
        if (hiddenStale || Environment.TickCount64 - hiddenReadAt > HiddenCheckEvery.TotalMilliseconds)
        {
            await reading.WaitAsync();
            try
            {
                if (hiddenStale || Environment.TickCount64 - hiddenReadAt > HiddenCheckEvery.TotalMilliseconds)
                {
                    hiddenStale = false;
                    try
                    {
                        hidden = (await store.GetReplayEditsAsync(null)).Where(e => e.Hidden).Select(e => e.SessionId + "/" + e.BroadcastId).ToHashSet(StringComparer.Ordinal);
                    }
                    catch (Exception)
                    {
                        // The store is unreachable: the last known set holds until the next check.
                    }
                    hiddenReadAt = Environment.TickCount64;
                }
            }
            finally
            {
                reading.Release();
            }
        }
        return hidden.Contains(sessionId + "/" + broadcastId);
    }
}
