using Orleans;
using Orleans.Concurrency;
namespace Events.Silo;

/// <summary>
/// Every error a live command can answer with: a stable machine code (documented in docs/live-api.md),
/// an English sentence for developers, and for throttling errors how long to wait. Pages show the
/// code in the reader's language.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LiveError(string Code, string Message, int? RetryAfterMs = null)
{
    public static LiveError InvalidArgument(string name, string problem) => new("invalid_argument", $"'{name}' {problem}.");
    public static LiveError Unauthenticated() => new("unauthenticated", "Sign in to do this.");
    public static LiveError Forbidden(string needed) => new("forbidden", $"This needs the {needed} role.");
    public static LiveError Outranked() => new("outranked", "Moderators act only on people of a lower rank: a moderator on members, an organizer on moderators, an administrator on organizers.");
    public static LiveError NotYourself() => new("not_yourself", "A moderator cannot mute, ban or unban themselves.");
    public static LiveError SanctionedModerator() => new("forbidden", "You are muted or banned in this session, so you cannot moderate it.");
    public static LiveError UnknownSession(string sessionId) => new("unknown_session", $"There is no session '{sessionId}'.");
    public static LiveError NotJoined(string sessionId) => new("not_joined", $"Join session '{sessionId}' first.");
    public static LiveError TooManySessions(int limit) => new("too_many_sessions", $"A connection can join at most {limit} sessions.");
    public static LiveError SessionEnded(string sessionId) => new("session_ended", $"Session '{sessionId}' has ended.");
    public static LiveError UnknownRound(string roundId) => new("unknown_round", $"There is no round '{roundId}'.");
    public static LiveError RoundClosed(string roundId) => new("round_closed", $"Round '{roundId}' is closed.");
    public static LiveError InvalidOption(string optionId) => new("invalid_option", $"'{optionId}' is not an option of this round.");
    public static LiveError TooManyChoices(int most) => new("too_many_choices", $"A ballot in this round chooses at most {most} option{(most == 1 ? "" : "s")}.");
    public static LiveError RepeatedChoice(string optionId) => new("repeated_choice", $"'{optionId}' is chosen more than once; each option counts once per ballot.");
    public static LiveError NotEligible(string what) => new("not_eligible", $"Only {what} may vote in this round.");
    public static LiveError EmptyMessage() => new("empty_message", "The message is empty.");
    public static LiveError MessageTooLong(int limit) => new("message_too_long", $"A message has at most {limit} characters.");
    public static LiveError UnknownMessage(long messageId) => new("unknown_message", $"There is no message {messageId} in this session.");
    public static LiveError RateLimited(int retryAfterMs) => new("rate_limited", "Too many requests; slow down.", retryAfterMs);
    public static LiveError SlowMode(int retryAfterMs) => new("slow_mode", "Slow mode is on; wait before sending again.", retryAfterMs);
    public static LiveError Muted(int? retryAfterMs) => new("muted", "A moderator has muted you in this session.", retryAfterMs);
    public static LiveError Banned() => new("banned", "A moderator has banned you from this session.");
    /// <summary>
    /// The command may not have been carried out (busy, the store or a node unreachable, a call that
    /// timed out): retry it with the same client id, which never counts twice.
    /// </summary>
    public static LiveError WrongStreamKey() => new("wrong_stream_key", "This stream key is not the session's current key; copy it again from the control room.");
    public static LiveError NoLiveKit() => new("no_livekit", "This platform has no LiveKit server configured (Streaming:LiveKit); stream with the ingest address instead.");
    public static LiveError NoStage(string sessionId) => new("no_stage", $"Session '{sessionId}' has no LiveKit stage; an organizer opens one in the control room.");
    public static LiveError LiveKitUnreachable() => new("livekit_unreachable", "The LiveKit server did not answer; try again in a moment.", 2000);
    public static LiveError UnknownReplay(string broadcastId) => new("unknown_replay", $"There is no ended broadcast '{broadcastId}' with a replay in this session.");
    public static LiveError AlreadyLive() => new("already_live", "A broadcast of this session is under way; upload the recording once it has ended.");
    public static LiveError NotStreaming() => new("not_streaming", "No broadcast of this session is under way: a push starts with a segment.");
    public static LiveError BallotVoided() => new("ballot_voided", "The organizers voided your ballot in this round after reviewing it; it does not count, and a round takes one ballot per person.");
    public static LiveError UnknownContest(string contestId) => new("unknown_contest", $"There is no judged contest '{contestId}'.");
    public static LiveError NotAJudge() => new("not_a_judge", "You are not a judge of this contest; an organizer makes judges on the contest's judging page.");
    public static LiveError JudgingLocked() => new("judging_locked", "Judging is locked: scores can no longer be changed.");
    public static LiveError JudgingNotLocked() => new("judging_not_locked", "Judging is not locked yet: lock it before the ranking is shown or revealed.");
    public static LiveError InvalidProject(string project) => new("invalid_project", $"'{project}' is not a project of this contest.");
    public static LiveError InvalidCriterion(string criterion) => new("invalid_criterion", $"'{criterion}' is not a criterion of this contest.");
    public static LiveError ScoreOutOfRange(string project, string criterion, int max) => new("score_out_of_range", $"The score of '{project}' on '{criterion}' must be a whole number from 0 to {max}.");
    public static LiveError SheetsIncomplete(IReadOnlyList<string> judges) => new("sheets_incomplete", $"Every judge must score every project on every criterion before judging is locked; not yet: {string.Join(", ", judges)}.");
    public static LiveError NoJudges() => new("no_judges", "The contest has no judges yet.");
    public static LiveError RoundStillOpen(string roundId) => new("round_still_open", $"Round '{roundId}' is still open: close it before judging is locked, so its tally is final.");
    public static LiveError WrongRound(string roundId, string session) => new("wrong_round", $"Round '{roundId}' is not a vote of the final '{session}' on its projects.");
    public static LiveError RevealOutOfRange(int places) => new("reveal_out_of_range", $"The reveal shows 0 to {places} places.");
    public static LiveError UnknownBooth(string company) => new("unknown_booth", $"There is no booth '{company}' at a fair.");
    public static LiveError QueueClosed() => new("queue_closed", "This booth is not taking calls now; its representatives open the queue when they are free.");
    public static LiveError TooManyQueues(int most) => new("too_many_queues", $"You can wait in at most {most} booth queues at once; leave one first.");
    public static LiveError NotInQueue() => new("not_in_queue", "You are not in this booth's queue.");
    public static LiveError QueueEmpty() => new("queue_empty", "Nobody is waiting in the queue.");
    public static LiveError AlreadyInCall() => new("already_in_call", "You are in a call already: end it before you call the next student.");
    public static LiveError NotYourCall(long ticket) => new("not_your_call", $"Ticket {ticket} is not a call of yours that is under way.");
    public static LiveError NotCalled() => new("not_called", "You have not been called yet; keep this page open and answer when you are.");
    public static LiveError TryAgain() => new("try_again", "The service is busy or a part of it is unreachable; retry with the same client id (a retry never counts twice).", 1000);
}
