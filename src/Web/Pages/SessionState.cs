using Events.Silo;
using Events.Silo.Store;
using Events.Web.Content;

namespace Events.Web.Pages;

/// <summary>What a visitor is told about a session.</summary>
public enum SessionState
{
    Upcoming,
    Live,
    Ended,
}

/// <summary>The display side of <see cref="Silo.SessionStates"/>, the one rule that grains and pages share.</summary>
public static class SessionStateText
{
    public static SessionState Of(SessionStatus effective) => effective switch
    {
        SessionStatus.Live => SessionState.Live,
        SessionStatus.Ended => SessionState.Ended,
        _ => SessionState.Upcoming,
    };

    public static SessionState Of(SessionItem session, SessionStatus stored, DateTimeOffset now) =>
        Of(SessionStates.Effective(stored, new SessionSchedule(session.Starts, session.Ends), now));

    public static string Key(SessionState state) => state switch
    {
        SessionState.Live => "state.live",
        SessionState.Ended => "state.ended",
        _ => "state.upcoming",
    };
}
