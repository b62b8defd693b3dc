using Orleans;

namespace Events.Silo.Contests;

/// <summary>
/// A judge's own score sheet: their scores by project then criterion, whether judging is locked
/// (then it is read only) and how many projects they have scored on every criterion.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SheetView(
    string ContestId,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Scores,
    bool Locked,
    int Complete,
    int Projects);

/// <summary>A judge as the organizer sees them before the lock: who, and how far their sheet is (never its scores).</summary>
[GenerateSerializer, Immutable]
public sealed record JudgeProgress(string UserId, string DisplayName, int Complete);

/// <summary>
/// Judging as the organizer sees it. <see cref="LockedAt"/> is null until locked;
/// <see cref="AudienceRound"/> the vote round whose ballots count; <see cref="Revealed"/> how many
/// places of <see cref="RevealPlaces"/> are shown to viewers.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JudgingStatus(
    string ContestId,
    IReadOnlyList<JudgeProgress> Judges,
    int Projects,
    long? LockedAt,
    string? AudienceRound,
    int Revealed,
    int RevealPlaces);

/// <summary>
/// One project's place. <see cref="JudgeScore"/> is the mean of the judges' weighted scores (0 to
/// 100), <see cref="AudienceScore"/> its votes as a share of the most-voted project's (0 to 100),
/// <see cref="Final"/> the two combined by the contest's weights; all exact, rounded only when shown.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RankedProject(int Place, string Project, double Final, double JudgeScore, double AudienceScore, long Votes);

/// <summary>
/// What viewers see of the results: the places revealed so far, in the order they were revealed
/// (the last announced place first, first place last), of <see cref="Places"/> to be revealed.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RevealView(string ContestId, IReadOnlyList<RankedProject> Shown, int Places);

/// <summary>One score of the export: the judge (id and name), the project, the criterion, the score.</summary>
[GenerateSerializer, Immutable]
public sealed record ScoreRow(string JudgeId, string JudgeName, string Project, string Criterion, int Score);
