using Events.Silo.Live;
using Events.Silo.Store;

namespace Events.Silo.Streams;

/// <summary>Where a broadcast's files live in the blob store and where viewers fetch them.</summary>
public static class StreamPaths
{
    public static string Folder(string sessionId, string broadcastId) => $"live/{sessionId}/{broadcastId}";

    /// <summary>Whether the text can be a broadcast id ("b" and the Unix ms it started), as the grain makes them.</summary>
    public static bool IsBroadcastId(string? text) =>
        text is { Length: >= 2 and <= 21 } && text[0] == 'b' && text.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;

    public static string Url(string sessionId, string broadcastId, string file) => $"/hls/{sessionId}/{broadcastId}/{file}";

    /// <summary>
    /// What viewers see of a session's broadcasts as the store has them (a grain activating, before
    /// the stream says more): the latest that published a playlist (one that never did shows nothing).
    /// </summary>
    public static StreamView ViewOf(IReadOnlyList<BroadcastRecord> broadcasts) => ViewOf(broadcasts.LastOrDefault(b => b.Playlist is not null));

    private static StreamView ViewOf(BroadcastRecord? latest) => latest switch
    {
        null => StreamView.Waiting,
        { Playlist: null } => StreamView.Waiting,
        { EndedAt: not null, Hidden: true } => new StreamView("ended", null, 0, 0, null),
        { EndedAt: not null } b => new StreamView("ended", Url(b.SessionId, b.BroadcastId, b.Playlist), b.Seconds, 0, null),
        var b => new StreamView("interrupted", Url(b.SessionId, b.BroadcastId, b.Playlist), b.Seconds, 0, null),
    };
}
