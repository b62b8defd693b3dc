using Orleans;
using Orleans.Concurrency;

namespace Events.Silo.Contests;

/// <summary>
/// One contest's judging, one activation in the cluster, keyed by the contest's event id. Judges
/// (a role given per contest by an organizer) score each project on each criterion on their own
/// sheet and may change it until the organizer locks judging; nobody sees another judge's sheet
/// before the lock (organizers see only how far each sheet is). The lock needs every sheet
/// complete and the audience round closed; then the ranking (<see cref="Ranking"/>) can be seen
/// and revealed, place by place, to every viewer of the final at once. Every change is written to
/// the store before it is answered, all or nothing.
/// </summary>
public interface IContestGrain : IGrainWithStringKey
{
    Task<Outcome<SheetView>> GetSheetAsync(Caller judge);

    /// <summary>Scores some or all of the sheet; every entry is checked before any is written.</summary>
    Task<Outcome<SheetView>> SaveScoresAsync(Caller judge, IReadOnlyList<ScoreEntry> scores);

    Task<Outcome<JudgingStatus>> GetStatusAsync(Caller organizer);

    Task<Outcome<JudgingStatus>> AddJudgeAsync(Caller organizer, string userId, string displayName);

    Task<Outcome<JudgingStatus>> RemoveJudgeAsync(Caller organizer, string userId);

    /// <summary>Locks judging, counting <paramref name="audienceRoundId"/>'s ballots (null only when the audience weight is 0). A second lock answers the status.</summary>
    Task<Outcome<JudgingStatus>> LockAsync(Caller organizer, string? audienceRoundId);

    /// <summary>The ranking, for organizers and the contest's judges, once judging is locked.</summary>
    Task<Outcome<IReadOnlyList<RankedProject>>> RankingAsync(Caller caller);

    /// <summary>Every judge's scores, for organizers, once judging is locked (the export): by judge in the order they were made, then running order, then criterion.</summary>
    Task<Outcome<IReadOnlyList<ScoreRow>>> ScoresAsync(Caller organizer);

    /// <summary>Shows the first <paramref name="places"/> steps of the reveal to every viewer of the final (0 hides it). Setting the same number again changes nothing, so a retry or a double click reveals once.</summary>
    Task<Outcome<RevealView>> RevealAsync(Caller organizer, int places);

    /// <summary>What viewers are shown now, or null before the first step. Runs beside other calls: the final's session grain asks it when it activates.</summary>
    [AlwaysInterleave]
    Task<RevealView?> CurrentRevealAsync();

    Task<bool> IsJudgeAsync(string userId);
}
