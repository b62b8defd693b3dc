namespace Events.Silo.Contests;

/// <summary>
/// A contest's judging: its judges (a role given per contest), their scores (one per judge,
/// project and criterion, replaced when changed), the lock, the audience round that counts and how
/// far the results are revealed. Each method is one transaction.
/// </summary>
public interface IJudgingStore
{
    Task<JudgingRecord> GetJudgingAsync(string contestId);

    /// <summary>Makes the account a judge of the contest; a second call changes nothing.</summary>
    Task AddJudgeAsync(string contestId, string userId, string displayName, long atMs);

    /// <summary>Removes a judge and their scores.</summary>
    Task RemoveJudgeAsync(string contestId, string userId);

    /// <summary>Writes the scores (each replacing the judge's earlier score of that project and criterion), all or none.</summary>
    Task SaveScoresAsync(string contestId, string userId, IReadOnlyList<ScoreEntry> scores, long atMs);

    /// <summary>Locks judging with the audience round that counts (null: none); a locked contest stays locked.</summary>
    Task LockJudgingAsync(string contestId, string? audienceRound, long atMs);

    /// <summary>Sets how many places are revealed to viewers.</summary>
    Task SetRevealedAsync(string contestId, int revealed, long atMs);
}

/// <summary>A contest's judging as stored. <see cref="Scores"/>: every score of every judge.</summary>
public sealed record JudgingRecord(
    IReadOnlyList<JudgeRecord> Judges,
    IReadOnlyList<StoredScore> Scores,
    long? LockedAt,
    string? AudienceRound,
    int Revealed);

public sealed record JudgeRecord(string UserId, string DisplayName, long AddedAt);

public sealed record StoredScore(string UserId, string Project, string Criterion, int Score, long UpdatedAt);
