namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// Every test host runs on a rehearsal clock (<c>Clock:StartAt</c>) that starts on 2026-12-01 08:00
/// UTC: the demo content's sessions then keep the states the tests expect (the contest final and the
/// December forum upcoming, November's over) on any real date.
/// </summary>
public static class TestClock
{
    public const string StartAt = "2026-12-01T08:00:00Z";
}
