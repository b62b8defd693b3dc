namespace Events.Web.Live;

/// <summary>
/// How far apart one session's updates go out. Never closer than <c>Live:Tick</c>; an update after a
/// quiet spell goes out at the next poll (a leading edge, so a lone vote or message is not held
/// for a whole tick). When this node's processor stays above <see cref="Busy"/> for a second while
/// sending to its audiences is a real part of the work, the interval grows by half (up to
/// <c>Live:MaxTick</c>): each update then carries more, viewers see counts a little later, and
/// votes and chat keep their share of the processor. Below <see cref="Calm"/> it shrinks back.
/// Large live platforms do the same: the bigger the audience, the less often counters refresh.
/// </summary>
public sealed class FanOutPacer(TimeSpan tick, TimeSpan maxTick)
{
    private readonly TimeSpan least = tick;

    /// <summary>Share of the processors this process may use above which fan-out is slowed.</summary>
    public const double Busy = 0.85;

    /// <summary>Share below which fan-out speeds up again.</summary>
    public const double Calm = 0.60;

    /// <summary>Below this many deliveries a second fan-out is not what keeps the node busy, so slowing it would not help.</summary>
    public const long SignificantDeliveriesPerSecond = 2_000;

    public TimeSpan Interval { get; private set; } = tick;

    /// <summary>Feeds one period's measurements: the busy share of this process's processors, and deliveries per second.</summary>
    public void Adjust(double busyShare, double deliveriesPerSecond)
    {
        if (busyShare > Busy && deliveriesPerSecond >= SignificantDeliveriesPerSecond)
        {
            Interval = TimeSpan.FromTicks(Math.Min(maxTick.Ticks, Interval.Ticks * 3 / 2));
        }
        else if (busyShare < Calm)
        {
            Interval = TimeSpan.FromTicks(Math.Max(least.Ticks, Interval.Ticks * 2 / 3));
        }
    }
}
