using Events.Silo.Store;

namespace Events.Silo.Live;

// The shapes sent to clients. They are documented field by field in docs/live-api.md; keep both in step.

/// <summary>Audience figures. <see cref="Current"/> is viewers connected now; the rest are kept in the store.</summary>
public sealed record CountsView(long Current, long Peak, long Unique, long TotalViews);

public sealed record ChatView(long Id, string AuthorId, string AuthorName, string Text, long SentAt)
{
    public static ChatView From(ChatMessage m) => new(m.Id, m.AuthorId, m.AuthorName, m.Text, m.SentAtMs);
}

/// <summary>The session's moderator-controlled state, always sent whole; <see cref="Pinned"/> is null when nothing is pinned.</summary>
public sealed record SettingsView(string Status, int SlowModeSeconds, ChatView? Pinned);

public sealed record OptionView(string Id, string Label, long? Votes);

/// <summary>
/// A vote round. Per-option <see cref="OptionView.Votes"/> are null while the tally is hidden (until the round closes);
/// <see cref="TotalVotes"/> is always given.
/// </summary>
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
    long? ClosedAt);

/// <summary>What the joining caller may do and what sanctions apply to them.</summary>
public sealed record YouView(string? UserId, string DisplayName, bool SignedIn, bool CanModerate, bool CanOrganize, bool Muted, bool Banned);

/// <summary>The whole state of a session at the moment of joining. Updates with <c>seq</c> greater than <see cref="Seq"/> follow.</summary>
public sealed record SessionSnapshot(
    string SessionId,
    long Seq,
    CountsView Counts,
    IReadOnlyDictionary<string, long> Reactions,
    IReadOnlyList<ChatView> Chat,
    SettingsView Settings,
    IReadOnlyList<RoundView> Rounds,
    YouView You);

/// <summary>
/// One coalesced broadcast for a session, sent at most once per tick. Every field but
/// <see cref="SessionId"/> and <see cref="Seq"/> is null when unchanged. Seq grows by one per
/// update a node sends for the session, so a gap tells a client it missed one and should re-join.
/// </summary>
public sealed record SessionUpdate(
    string SessionId,
    long Seq,
    CountsView? Counts,
    IReadOnlyDictionary<string, long>? Reactions,
    IReadOnlyList<ChatView>? Chat,
    IReadOnlyList<long>? Deleted,
    SettingsView? Settings,
    IReadOnlyList<RoundView>? Rounds);

public sealed record ChatAck(long MessageId, long SentAt);

/// <summary>"accepted": the vote counts (a retry of a counted vote is accepted again); "already_voted": an earlier, different vote counts.</summary>
public sealed record VoteAck(string RoundId, string Status, string OptionId);

public sealed record ReactionAck(string Kind, long Total);
