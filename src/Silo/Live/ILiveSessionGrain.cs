using Events.Silo.Store;
using Events.Silo.Voting;
using Orleans;
using Orleans.Concurrency;

namespace Events.Silo.Live;

/// <summary>
/// One live session, one activation in the whole cluster: its audience (summed from the nodes'
/// reports), chat, reactions, moderation, status and vote rounds.
/// Guarantees: a chat message or reaction is acknowledged only after the batch holding it
/// committed to the store; a retried chat message (same author and client id) is stored and shown
/// once; committed messages go out in id order; everything acknowledged is rebuilt from the store
/// when the grain activates again (on another node after a crash). Every relay that reports gets
/// one coalesced update per tick (<see cref="SessionUpdate"/>).
/// </summary>
public interface ILiveSessionGrain : IGrainWithStringKey
{
    /// <summary>Counts a view (unless <paramref name="rejoin"/>: the same connection joining again for a fresh snapshot) and returns the whole state.</summary>
    Task<SessionSnapshot> JoinAsync(AudienceReport node, string viewerKey, bool rejoin, Caller caller);

    /// <summary>The state a viewer would get on joining, without joining: for server-rendered pages.</summary>
    Task<SessionSnapshot> PeekAsync(Caller caller);

    /// <summary>A node's heartbeat for this session (see <see cref="AudienceReport"/>).</summary>
    Task ReportAudienceAsync(AudienceReport report);

    /// <summary>A node that is shutting down takes its viewers out of the sum at once.</summary>
    [OneWay]
    Task NodeLeftAsync(string nodeId);

    Task<Outcome<ChatAck>> PostChatAsync(Caller author, string text, string clientMessageId);

    Task<Outcome<ReactionAck>> ReactAsync(Caller caller, string kind);

    Task<Outcome<bool>> DeleteMessageAsync(Caller moderator, long messageId);

    /// <summary>Mutes a user for 1 to 10,080 minutes, or lifts the mute when <paramref name="minutes"/> is 0.</summary>
    /// <param name="targetRoles">The roles the person has now, as the host read them: moderation follows rank (<see cref="StaffBadges.Rank(LiveRoles)"/>).</param>
    Task<Outcome<bool>> MuteAsync(Caller moderator, string userId, LiveRoles targetRoles, int minutes);

    Task<Outcome<bool>> BanAsync(Caller moderator, string userId, LiveRoles targetRoles, bool banned);

    /// <summary>Mutes and bans in force, for moderators.</summary>
    Task<Outcome<IReadOnlyList<SanctionView>>> GetSanctionsAsync(Caller moderator);

    Task<Outcome<bool>> SetSlowModeAsync(Caller moderator, int seconds);

    /// <summary>Pins a message, or unpins with a null id.</summary>
    Task<Outcome<bool>> PinAsync(Caller moderator, long? messageId);

    /// <summary>
    /// A person deleted their account and the store has forgotten them: the messages this grain
    /// holds show without their name from now on (new joins; open pages keep what they had).
    /// Called by the host, not by people.
    /// </summary>
    Task ForgetAuthorAsync(string userId, string anonymousId);

    /// <summary>Sets the status; ending closes every open round first (their acknowledged votes counted, later ones refused).</summary>
    Task<Outcome<bool>> SetStatusAsync(Caller organizer, SessionStatus status);

    /// <summary>
    /// Opens a round with its rules: options that may stand for contest projects, up to
    /// <see cref="BallotRequest.MaxChoices"/> choices a ballot, an optional window. Organizers. A
    /// retry with the same <see cref="BallotRequest.ClientCommandId"/> returns the round opened the first time.
    /// </summary>
    Task<Outcome<RoundView>> OpenBallotAsync(Caller organizer, BallotRequest request);

    /// <summary>The session's stream changed (see <see cref="StreamView"/>): it goes out with the next update, and the session's status follows it.</summary>
    Task StreamChangedAsync(StreamView view);

    /// <summary>A round of this session changed (votes committed, closed): its view goes out with the next update. The round awaits each call, so views arrive in order.</summary>
    Task RoundChangedAsync(RoundView view);

    /// <summary>The contest's results as revealed so far (an empty list hides them): they go out at once, to every viewer in the same update.</summary>
    Task ShowResultsAsync(Contests.RevealView view);

    /// <summary>A booth's queue as it is now: it goes out at once; a view older than the one held is dropped.</summary>
    Task ShowQueueAsync(Fair.QueueView view);
}
