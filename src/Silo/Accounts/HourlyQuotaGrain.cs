using Orleans;

namespace Events.Silo.Accounts;

/// <summary>
/// How often one address may register or ask for account mail, and how much account mail one
/// recipient may get, counted once for the whole cluster (key <c>{what}:{who}</c>): at most a
/// given number within any hour. In memory, like the sign-in throttle: a failover forgets it.
/// </summary>
public interface IHourlyQuotaGrain : IGrainWithStringKey
{
    /// <summary>Takes one if fewer than <paramref name="limit"/> were taken in the last hour; else answers how long until one is free.</summary>
    Task<TimeSpan> TryTakeAsync(int limit);
}

public sealed class HourlyQuotaGrain(TimeProvider clock) : Grain, IHourlyQuotaGrain
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Queue<DateTimeOffset> taken = new();

    public Task<TimeSpan> TryTakeAsync(int limit)
    {
        var now = clock.GetUtcNow();
        while (taken.Count > 0 && now - taken.Peek() >= Window)
        {
            taken.Dequeue();
        }
        if (taken.Count >= limit)
        {
            return Task.FromResult(taken.Peek() + Window - now);
        }
        taken.Enqueue(now);
        return Task.FromResult(TimeSpan.Zero);
    }
}
