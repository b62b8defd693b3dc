using Orleans;
using Orleans.Concurrency;
using Events.Silo.Store;

namespace Events.Silo.Live;

// The shapes sent to clients. They are documented field by field in docs/live-api.md; keep both in step.

/// <summary>Audience figures. <see cref="Current"/> is viewers connected now; the rest are kept in the store.</summary>
[GenerateSerializer, Immutable]
public sealed record CountsView(long Current, long Peak, long Unique, long TotalViews, long ReplayViews = 0);

[GenerateSerializer, Immutable]
public sealed record ChatView(long Id, string AuthorId, string AuthorName, string Text, long SentAt, string? Badge = null)
{
    public static ChatView From(ChatMessage m) => new(m.Id, m.AuthorId, m.AuthorName, m.Text, m.SentAtMs, m.Badge);
}

/// <summary>The session's moderator-controlled state, always sent whole; <see cref="Pinned"/> is null when nothing is pinned.</summary>
[GenerateSerializer, Immutable]
public sealed record SettingsView(string Status, int SlowModeSeconds, ChatView? Pinned);

/// <summary>
/// The session's video. <see cref="State"/>: "waiting" (no stream yet), "live", "interrupted" (no
/// segment for <c>Live:StreamInterruptedAfter</c>) or "ended" (the replay is complete).
/// <see cref="Playlist"/> is the HLS playlist to play (the live one, or the replay once ended), null
/// before the first; <see cref="Seconds"/> its length; <see cref="BitrateKbps"/> the broadcast's mean bitrate.
/// <see cref="Room"/> is the LiveKit room carrying a live broadcast (played over WebRTC; ask the hub
/// for a token), null for a stream pushed to the HLS origin; a LiveKit broadcast that ended keeps it
/// until its recording is written (the replay is on its way), then has a playlist instead. Ended
/// with neither: there is no replay (none was recorded, or the organizers hid it).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StreamView(string State, string? Playlist, double Seconds, long BitrateKbps, long? LastSegmentAt, string? Room = null)
{
    public static StreamView Waiting { get; } = new("waiting", null, 0, 0, null);
}

[GenerateSerializer, Immutable]
public sealed record OptionView(string Id, string Label, long? Votes, string? Project = null);

/// <summary>
/// A vote round. Per-option <see cref="OptionView.Votes"/> are null while the tally is hidden (until the round closes);
/// <see cref="TotalVotes"/> is always given.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RoundView(
    string RoundId,
    string SessionId,
    string Question,
    IReadOnlyList<OptionView> Options,
    string Status,
    bool ShowTally,
    string Eligibility,
    long TotalVotes,
    long OpenedAt,
    long? ClosedAt,
    int MaxChoices = 1,
    long? ClosesAt = null);

/// <summary>
/// What the joining caller may do, what sanctions apply to them, and their own vote in each round
/// shown (round id to option id), read from the rounds: the signed-in person's, whatever the browser.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record YouView(string? UserId, string DisplayName, bool SignedIn, bool CanModerate, bool CanOrganize, bool Muted, bool Banned, IReadOnlyDictionary<string, string> Votes);

/// <summary>A mute or ban in force, as moderators see it; <see cref="Until"/> is null for a ban or a mute until lifted.</summary>
[GenerateSerializer, Immutable]
public sealed record SanctionView(string UserId, string Kind, long? Until, string SetBy);

/// <summary>
/// The whole state of a session at the moment of joining. Updates with <c>seq</c> greater than
/// <see cref="Seq"/> follow. <see cref="ServerTime"/> is the server's clock when the snapshot was
/// taken (Unix ms): a client compares round windows (<c>closesAt</c>) with it, not with its own clock.
/// <see cref="Results"/>: a contest final's results as revealed so far, null before the reveal.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SessionSnapshot(
    string SessionId,
    long Seq,
    CountsView Counts,
    IReadOnlyDictionary<string, long> Reactions,
    IReadOnlyList<ChatView> Chat,
    SettingsView Settings,
    IReadOnlyList<RoundView> Rounds,
    YouView You,
    StreamView Stream,
    long ServerTime = 0,
    Contests.RevealView? Results = null,
    Fair.QueueView? Queue = null);

/// <summary>
/// One coalesced broadcast for a session, sent at most once per tick. Every field but
/// <see cref="SessionId"/> and <see cref="Seq"/> is null when unchanged. Seq grows by one per
/// update of the session (one sequence for the whole cluster, since the session has one grain); a
/// re-activated grain (after a node died) starts above every seq the earlier one sent, so a gap
/// tells a client it missed something and should re-join for a snapshot.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SessionUpdate(
    string SessionId,
    long Seq,
    CountsView? Counts,
    IReadOnlyDictionary<string, long>? Reactions,
    IReadOnlyList<ChatView>? Chat,
    IReadOnlyList<long>? Deleted,
    SettingsView? Settings,
    IReadOnlyList<RoundView>? Rounds,
    StreamView? Stream = null,
    Contests.RevealView? Results = null,
    Fair.QueueView? Queue = null);

[GenerateSerializer, Immutable]
public sealed record ChatAck(long MessageId, long SentAt);

/// <summary>"accepted": the vote counts (a retry of a counted vote is accepted again); "already_voted": an earlier, different vote counts.</summary>
[GenerateSerializer, Immutable]
public sealed record VoteAck(string RoundId, string Status, string OptionId, IReadOnlyList<string>? Choices = null);

[GenerateSerializer, Immutable]
public sealed record ReactionAck(string Kind, long Total);
