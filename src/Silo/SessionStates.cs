using Events.Silo.Store;

namespace Events.Silo;

/// <summary>
/// The one rule for where a session is, used by the grains (what they accept) and the pages (what
/// they show): on air only while an organizer has it live; over when ended, or when its scheduled
/// end has passed without it ever going live; otherwise scheduled.
/// </summary>
public static class SessionStates
{
    public static SessionStatus Effective(SessionStatus stored, SessionSchedule? schedule, DateTimeOffset now) => stored switch
    {
        SessionStatus.Live => SessionStatus.Live,
        SessionStatus.Ended => SessionStatus.Ended,
        _ when schedule is not null && schedule.Ends < now => SessionStatus.Ended,
        _ => SessionStatus.Scheduled,
    };

    /// <summary>The status as written on the wire: "scheduled", "live" or "ended".</summary>
    public static string Wire(SessionStatus status) => status switch
    {
        SessionStatus.Live => "live",
        SessionStatus.Ended => "ended",
        _ => "scheduled",
    };
}
