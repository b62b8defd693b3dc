namespace Events.Silo;

/// <summary>
/// The events' clock: "now" for schedules, session states, messages and sanctions. It is the real
/// clock, or a rehearsal clock that starts at a chosen moment and runs at real speed from there
/// (the host's <c>Clock:StartAt</c>), so demo content keeps its schedule in a rehearsal, the tests
/// and the benchmark. It is kept apart from the <see cref="TimeProvider"/> that the host, Orleans
/// (silo generations, membership) and sign-in tokens use, which always follow the real clock.
/// </summary>
public class EventClock(DateTimeOffset? startAt = null) : TimeProvider
{
    private readonly DateTimeOffset realStart = System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => startAt is { } start ? start + (System.GetUtcNow() - realStart) : System.GetUtcNow();
}
