using Orleans;

namespace Events.Silo.Streams;

/// <summary>
/// The video of one session, one activation in the cluster: its secret ingest key and its
/// broadcasts (a push from its first file to its end). Guarantees: a file is admitted only with the
/// session's current key (compared in constant time; a regenerated key stops the old one at once);
/// every file of one push, on whichever node it lands, belongs to the same broadcast until the
/// playlist ends; the session's viewers see the stream's state change with the next update.
/// </summary>
public interface IStreamGrain : IGrainWithStringKey
{
    /// <summary>The ingest key, made at the first ask. Organizers.</summary>
    Task<Outcome<StreamKeyView>> GetKeyAsync(Caller organizer);

    /// <summary>A new key; the old one is refused from now on. Organizers.</summary>
    Task<Outcome<StreamKeyView>> RegenerateKeyAsync(Caller organizer);

    /// <summary>
    /// Checks an encoder's key and names the broadcast its files go to. A segment
    /// (<paramref name="mayStart"/>) after the last broadcast ended is given a new one, which starts
    /// when a segment is stored (<see cref="SegmentStoredAsync"/>); anything else
    /// then (a late copy of the ended playlist, a DELETE) answers <c>not_streaming</c> and starts nothing.
    /// </summary>
    Task<Outcome<IngestTicket>> AdmitAsync(string streamKey, bool mayStart);

    /// <summary>A segment of the broadcast was written; the first one starts the broadcast (recorded in the store, which may fail: retry).</summary>
    Task SegmentStoredAsync(string broadcastId, long bytes);

    /// <summary>A playlist of the broadcast became visible to viewers; <paramref name="ended"/> when it is complete (the replay).</summary>
    Task PlaylistPublishedAsync(string broadcastId, string playlist, double seconds, bool ended);

    /// <summary>
    /// An ended broadcast's timeline for its replay: chapters (the start, vote rounds opened and
    /// closed) and the chat, each at its seconds from the broadcast's start (negative for the minute
    /// before it, which the first segment's video may cover); null for a broadcast that is unknown
    /// or not over. Kept a minute, so a deletion after the end shows within one.
    /// </summary>
    Task<ReplayTimeline?> GetTimelineAsync(string broadcastId);

    /// <summary>
    /// Marks a chapter now (a talk's part, a demo, the Q&amp;A): the replay of the broadcast under way
    /// lists it at this moment. Organizers. A retry with the same client id marks nothing more.
    /// </summary>
    Task<Outcome<MarkerView>> AddMarkerAsync(Caller organizer, string title, string clientMarkerId);

    /// <summary>The session's ended broadcasts with a playlist, with their edits, for the control room. Organizers.</summary>
    Task<Outcome<IReadOnlyList<ReplayAdminView>>> ListReplaysAsync(Caller organizer);

    /// <summary>
    /// Applies an organizer's edit to an ended broadcast's replay: its playlist becomes the cut's
    /// (written by the host beside the segments), its chapters and chat follow the cut, and a hidden
    /// replay leaves the library and the watch page. Organizers. <c>unknown_replay</c> for a broadcast that is not an ended one with a playlist.
    /// </summary>
    Task<Outcome<ReplayAdminView>> EditReplayAsync(Caller organizer, string broadcastId, ReplayCut cut);

    /// <summary>
    /// Where an organizer's upload goes: the replay it replaces (<paramref name="replaces"/>, which
    /// must be an ended broadcast with a replay), or a new broadcast's id. Organizers.
    /// <c>already_live</c> for a new one while a broadcast is under way.
    /// </summary>
    Task<Outcome<string>> BeginUploadAsync(Caller organizer, string? replaces);

    /// <summary>
    /// Publishes an uploaded recording, imported into the broadcast's folder as
    /// <paramref name="playlist"/>: a new broadcast's replay, or the new recording of the replay it
    /// replaces (its cut and hiding start again). Organizers.
    /// </summary>
    Task<Outcome<ReplayAdminView>> PublishUploadAsync(Caller organizer, string broadcastId, bool replaces, string playlist, double seconds);

    /// <summary>
    /// Opens the session's LiveKit stage (its room, and an RTMP ingress for OBS), or returns the one
    /// open already. Organizers. <c>no_livekit</c> without a LiveKit server, <c>livekit_unreachable</c> when it does not answer.
    /// </summary>
    Task<Outcome<LiveKitStageView>> OpenStageAsync(Caller organizer);

    /// <summary>The session's stage for the control room, null when none was opened. Organizers.</summary>
    Task<Outcome<LiveKitStageView?>> GetStageAsync(Caller organizer);

    /// <summary>The stage's room for a viewer's or a speaker's token; null when the session has none.</summary>
    Task<string?> GetRoomAsync();

    /// <summary>
    /// A LiveKit webhook for the stage's room, each delivered once (the host deduplicates on its id),
    /// in any order: the first published track (or the ingress starting) takes the session live and
    /// starts the recording; the room finishing ends the live part; the recording ending publishes
    /// the replay. An event older than the last end starts nothing.
    /// </summary>
    Task LiveKitEventAsync(LiveKitSignal signal);

    /// <summary>Compares the broadcast with LiveKit's room and recordings and repairs what a lost webhook left wrong.</summary>
    Task ReconcileAsync();
}

/// <summary>The stage as the control room shows it: the room, and where OBS sends (LiveKit's ingress URL and key).</summary>
[GenerateSerializer, Immutable]
public sealed record LiveKitStageView(string SessionId, string Room, string IngressUrl, string IngressKey, bool Records);

/// <summary>What a replay shows beside the video: <see cref="Playlist"/> is the replay's playlist file, <see cref="Seconds"/> its length.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplayTimeline(string SessionId, string BroadcastId, string Playlist, double Seconds, IReadOnlyList<ChapterView> Chapters, IReadOnlyList<ReplayChatView> Chat,
    [property: System.Text.Json.Serialization.JsonIgnore] string? OriginalPlaylist = null,
    [property: System.Text.Json.Serialization.JsonIgnore] double OffsetSeconds = 0)
{
    /// <summary>
    /// The same timeline in seconds of the video, which starts <paramref name="leadSeconds"/> before
    /// the broadcast did (its first segment is pushed only once complete), each time kept within the video.
    /// </summary>
    public ReplayTimeline InVideoTime(double leadSeconds)
    {
        double At(double at) => Math.Round(Math.Clamp(at + leadSeconds, 0, Seconds), 1);
        // A trimmed replay (its times already less the cut's offset) leaves out what falls outside the cut.
        bool Kept(double at) => OffsetSeconds <= 0 || (at + leadSeconds >= 0 && at + leadSeconds <= Seconds);
        return this with
        {
            Chapters = Chapters.Where(c => c.Kind == "start" || Kept(c.At)).Select(c => c with { At = c.Kind == "start" ? 0 : At(c.At) }).ToArray(),
            Chat = Chat.Where(m => Kept(m.At)).Select(m => m with { At = At(m.At) }).ToArray(),
        };
    }
}

/// <summary>
/// A replay as the control room lists it: its current playlist (URL) and length, and the original's
/// (<see cref="OriginalSeconds"/>), the cut kept (seconds of the original; <see cref="TrimEnd"/> null for its end) and whether it is hidden.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReplayAdminView(string BroadcastId, long StartedAt, long EndedAt, string Playlist, double Seconds, double OriginalSeconds,
    double TrimStart, double? TrimEnd, bool Hidden, string OriginalPlaylist);

/// <summary>An edit made by the host: the playlist it wrote (or the original), where it starts in the original and its length.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplayCut(string Playlist, double OffsetSeconds, double Seconds, double TrimStart, double? TrimEnd, bool Hidden);

/// <summary>An organizer's marker, at <see cref="At"/> (Unix ms).</summary>
[GenerateSerializer, Immutable]
public sealed record MarkerView(string Title, long At);

/// <summary>A point to seek to. <see cref="Kind"/>: "start", "round_opened", "round_closed" or "marker"; <see cref="Title"/> is the round's question or the marker's title ("" for the start).</summary>
[GenerateSerializer, Immutable]
public sealed record ChapterView(double At, string Kind, string Title, string? RoundId);

/// <summary>A chat message as the replay shows it, at the second of the video when it was sent.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplayChatView(long Id, double At, string AuthorName, string Text, string? Badge = null);

[GenerateSerializer, Immutable]
public sealed record StreamKeyView(string SessionId, string Key);

/// <summary>Where an admitted file goes: the broadcast's folder in the blob store.</summary>
[GenerateSerializer, Immutable]
public sealed record IngestTicket(string SessionId, string BroadcastId)
{
    public string Folder => StreamPaths.Folder(SessionId, BroadcastId);
}
