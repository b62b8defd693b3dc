namespace Events.Silo;

/// <summary>Which sessions exist and when they are scheduled: the host answers from its content. Grains are never activated for a session not listed.</summary>
public interface ISessionCatalog
{
    /// <summary>The session's schedule, or null when there is no such session.</summary>
    SessionSchedule? Schedule(string sessionId);

    bool Exists(string sessionId) => Schedule(sessionId) is not null;

    /// <summary>A contest's judging and ranking rules, or null when there is no such contest (or it is not judged here).</summary>
    Contests.ContestRules? Contest(string contestId) => null;

    /// <summary>The contest whose final is this session (its results are revealed there), or null.</summary>
    string? ContestOfFinal(string sessionId) => null;
}

/// <summary>When a session is planned to start and end.</summary>
public sealed record SessionSchedule(DateTimeOffset Starts, DateTimeOffset Ends);
