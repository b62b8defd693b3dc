using Events.Silo.Live;
using Events.Silo.Store;

namespace Events.Silo.Streams;

/// <summary>Where a broadcast's files live in the blob store and where viewers fetch them.</summary>
public static class StreamPaths
{
    public static string Folder(string sessionId, string broadcastId) => $"live/{sessionId}/{broadcastId}";

    public static string Url(string sessionId, string broadcastId, string file) => $"/hls/{sessionId}/{broadcastId}/{file}";

    /// <summary>What viewers see of the latest broadcast as the store has it (a grain activating, before the stream says more).</summary>
    public static StreamView ViewOf(BroadcastRecord? latest) => latest switch
    {
        null => StreamView.Waiting,
        { Playlist: null } => StreamView.Waiting,
        { EndedAt: not null } b => new StreamView("ended", Url(b.SessionId, b.BroadcastId, b.Playlist), b.Seconds, 0, null),
        var b => new StreamView("interrupted", Url(b.SessionId, b.BroadcastId, b.Playlist), b.Seconds, 0, null),
    };
}
