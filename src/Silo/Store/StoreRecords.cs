using Orleans;
using Orleans.Concurrency;
namespace Events.Silo.Store;

/// <summary>Where a session is in its life: before it starts, on air, or over.</summary>
[GenerateSerializer]
public enum SessionStatus
{
    Scheduled,
    Live,
    Ended,
}

/// <summary>The durable, moderator-controlled settings of a live session.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionSettings(SessionStatus Status, int SlowModeSeconds, long? PinnedMessageId);

/// <summary>Audience figures kept in the store: distinct viewers, joins, and the most viewers at once.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionCounters(long UniqueViewers, long TotalViews, long PeakViewers, long ReplayViews = 0);

/// <summary>A chat message as sent, before the store has given it an id.</summary>
[GenerateSerializer, Immutable]
/// <param name="Badge">The author's staff badge when sent (<see cref="StaffBadges"/>), null for everyone else.</param>
public sealed record ChatDraft(string SessionId, string AuthorId, string AuthorName, string Text, string ClientMessageId, long SentAtMs, string? Badge = null);

/// <summary>A stored chat message; ids grow with the order in which messages were committed.</summary>
[GenerateSerializer, Immutable]
public sealed record ChatMessage(long Id, string SessionId, string AuthorId, string AuthorName, string Text, long SentAtMs, string? Badge = null);

/// <summary>The result of appending a chat message: the stored message, and whether it was already there (a retry).</summary>
[GenerateSerializer, Immutable]
public sealed record ChatAppend(ChatMessage Message, bool Duplicate);

[GenerateSerializer]
public enum SanctionKind
{
    Mute,
    Ban,
}

/// <summary>A moderator's sanction on a user in one session; a null <see cref="UntilMs"/> lasts until lifted.</summary>
[GenerateSerializer, Immutable]
public sealed record Sanction(string SessionId, string UserId, SanctionKind Kind, long? UntilMs, string SetBy);

/// <summary>Who may vote in a round.</summary>
[GenerateSerializer]
public enum RoundEligibility
{
    Members,
    Verified,
}

[GenerateSerializer]
public enum RoundStatus
{
    Open,
    Closed,
}

/// <summary>An option of a round; <see cref="Project"/> names the contest project it stands for, when it was opened from a contest's list.</summary>
[GenerateSerializer, Immutable]
public sealed record RoundOption(string Id, string Label, string? Project = null);

/// <summary>A round as the organizer asked for it; <see cref="ClientCommandId"/> makes a retried open idempotent.</summary>
[GenerateSerializer, Immutable]
public sealed record RoundDraft(
    string RoundId,
    string SessionId,
    string Question,
    IReadOnlyList<RoundOption> Options,
    bool ShowTally,
    RoundEligibility Eligibility,
    string OpenedBy,
    string ClientCommandId,
    long OpenedAtMs,
    int MaxChoices = 1,
    long? ClosesAtMs = null);

[GenerateSerializer, Immutable]
public sealed record RoundRecord(
    string RoundId,
    string SessionId,
    string Question,
    IReadOnlyList<RoundOption> Options,
    bool ShowTally,
    RoundEligibility Eligibility,
    RoundStatus Status,
    long OpenedAtMs,
    long? ClosedAtMs,
    int MaxChoices = 1,
    long? ClosesAtMs = null);

/// <summary>A recount of a round's ballots: how many, and how many chose each option (an option no ballot chose is absent).</summary>
public sealed record RoundTally(long Ballots, IReadOnlyDictionary<string, long> Options);

/// <summary>
/// A ballot's choices as stored (<c>votes.option_id</c>) and acknowledged: the option ids in the
/// round's option order, joined by commas ("a" for one choice, "a,c,f" for three).
/// </summary>
public static class Choices
{
    public static string Join(IEnumerable<string> optionIds) => string.Join(',', optionIds);

    public static string[] Split(string joined) => joined.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>One voter's ballot in a round (<see cref="OptionId"/>: its choices, see <see cref="Choices"/>), with the id the client gave it.</summary>
[GenerateSerializer, Immutable]
public sealed record VoteDraft(string RoundId, string VoterId, string OptionId, string ClientVoteId, long CastAtMs);

/// <summary>
/// What the store did with a vote: <see cref="Inserted"/> when it is now counted; otherwise the
/// voter had already voted and <see cref="OptionId"/> and <see cref="ClientVoteId"/> are that earlier vote's;
/// or, with <see cref="RoundClosed"/>, the voter had no vote and the round is closed (or unknown), so nothing was written.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct VoteOutcome(bool Inserted, string OptionId, string ClientVoteId, bool RoundClosed = false);

/// <summary>A counted vote, as loaded when a round grain activates.</summary>
[GenerateSerializer, Immutable]
public readonly record struct StoredVote(string VoterId, string OptionId, string ClientVoteId);

/// <summary>One broadcast of a session: <see cref="Playlist"/> is null until a playlist was published; <see cref="EndedAt"/> is set once it is over.</summary>
[GenerateSerializer, Immutable]
public sealed record BroadcastRecord(string SessionId, string BroadcastId, string? Playlist, double Seconds, long StartedAt, long? EndedAt, bool Hidden = false);

/// <summary>
/// An organizer's edit of a replay: the recording as it ended (<see cref="OriginalPlaylist"/>, its
/// length), the cut kept (<see cref="TrimStart"/> to <see cref="TrimEnd"/>, null for the end, in its
/// seconds), where the edited playlist starts in it (<see cref="OffsetSeconds"/>, at a segment's
/// start), and whether the replay is hidden. The broadcast's playlist and length are the edited ones.
/// </summary>
public sealed record ReplayEditRecord(string SessionId, string BroadcastId, string OriginalPlaylist, double OriginalSeconds, double OffsetSeconds,
    double TrimStart, double? TrimEnd, bool Hidden, long UpdatedAt);

/// <summary>A chapter an organizer marked during a session, at <see cref="AtMs"/> on the events' clock.</summary>
public sealed record MarkerRecord(string SessionId, string Title, string ClientMarkerId, long AtMs);

/// <summary>A session's LiveKit stage: its room, and the RTMP ingress (URL and key) OBS sends to.</summary>
public sealed record LiveKitStageRecord(string SessionId, string Room, string IngressId, string IngressUrl, string IngressKey, long CreatedAt);

/// <summary>A broadcast carried by a LiveKit room; <see cref="EgressId"/> is the recording, when it started.</summary>
public sealed record LiveKitBroadcastRecord(string SessionId, string BroadcastId, string Room, string? EgressId);

/// <summary>One of a person's chat messages, for their download.</summary>
public sealed record MemberChat(long Id, string SessionId, string Text, long SentAtMs, bool Deleted);

/// <summary>One of a person's votes, with the question it answered.</summary>
public sealed record MemberVote(string RoundId, string SessionId, string Question, string OptionId, long CastAtMs);

/// <summary>A mute or ban on the person.</summary>
public sealed record MemberSanction(string SessionId, string Kind, long? UntilMs, long SetAtMs);

/// <summary>A session the person watched signed in, and when first.</summary>
public sealed record MemberView(string SessionId, long FirstSeenMs);

/// <summary><see cref="QueueTickets"/>: the person's places in booth queues for 1:1 calls, in the order they joined.</summary>
public sealed record MemberData(IReadOnlyList<MemberChat> Chat, IReadOnlyList<MemberVote> Votes, IReadOnlyList<MemberSanction> Sanctions, IReadOnlyList<MemberView> Viewed,
    IReadOnlyList<Fair.QueueTicket> QueueTickets);
