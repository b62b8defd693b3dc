using Events.Silo.Store;
using Events.Web.Content;

namespace Events.Web.Pages;

/// <summary>What a visitor is told about a session: on air only when an organizer says so; otherwise by the schedule.</summary>
public enum SessionState
{
    Upcoming,
    Live,
    Ended,
}

public static class SessionStates
{
    public static SessionState Of(SessionItem session, SessionStatus stored, DateTimeOffset now) => stored switch
    {
        SessionStatus.Live => SessionState.Live,
        SessionStatus.Ended => SessionState.Ended,
        _ when session.Ends < now => SessionState.Ended,
        _ => SessionState.Upcoming,
    };

    public static string Key(SessionState state) => state switch
    {
        SessionState.Live => "state.live",
        SessionState.Ended => "state.ended",
        _ => "state.upcoming",
    };
}
