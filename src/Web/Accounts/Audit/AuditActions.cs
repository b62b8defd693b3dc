namespace Events.Web.Accounts.Audit;

/// <summary>The actions written to the audit log; the organizer's page filters by them and names them in both languages ("audit.{action}").</summary>
public static class AuditActions
{
    public const string RoleGranted = "role.grant";
    public const string RoleRemoved = "role.remove";
    public const string VerifiedByRoster = "verify.roster";
    public const string VerifiedByLink = "verify.link";
    public const string VerifiedByOrganizer = "verify.organizer";
    public const string VerifiedBySso = "verify.sso";
    public const string VerificationFailed = "verify.failed";
    public const string RosterImported = "roster.import";
    public const string MessageDeleted = "chat.delete";
    public const string MessagePinned = "chat.pin";
    public const string SlowMode = "chat.slowmode";
    public const string Muted = "user.mute";
    public const string Banned = "user.ban";
    public const string Unbanned = "user.unban";
    public const string SessionStatus = "session.status";
    public const string RoundOpened = "round.open";
    public const string RoundClosed = "round.close";
    public const string StreamKeyRenewed = "stream.key";
    public const string StageOpened = "stage.open";
    public const string ReplayEdited = "replay.edit";
    public const string RecordingUploaded = "recording.upload";
    public const string MarkerAdded = "marker.add";
    public const string AccountDeleted = "account.delete";
    public const string RepInvited = "rep.invite";
    public const string RepAccepted = "rep.accept";
    public const string RepRemoved = "rep.remove";
    public const string JudgeAdded = "judge.add";
    public const string JudgeRemoved = "judge.remove";
    public const string JudgingLocked = "judging.lock";
    public const string ResultsRevealed = "results.reveal";
    public const string BallotsVoided = "ballots.void";
    public const string TeamAdded = "team.add";
    public const string TeamRemoved = "team.remove";

    public static IReadOnlyList<string> All { get; } =
    [
        RoleGranted, RoleRemoved, VerifiedByRoster, VerifiedByLink, VerifiedByOrganizer, VerifiedBySso, VerificationFailed, RosterImported,
        MessageDeleted, MessagePinned, SlowMode, Muted, Banned, Unbanned,
        SessionStatus, RoundOpened, RoundClosed, StreamKeyRenewed, StageOpened, ReplayEdited, RecordingUploaded, MarkerAdded, AccountDeleted, RepInvited, RepAccepted, RepRemoved,
        JudgeAdded, JudgeRemoved, JudgingLocked, ResultsRevealed, BallotsVoided, TeamAdded, TeamRemoved,
    ];
}
