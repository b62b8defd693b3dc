using Orleans;

namespace Events.Silo.Accounts;

/// <summary>
/// Failed sign-ins of one account (key <c>account:{normalized email}</c>) or from one address
/// (key <c>address:{ip}</c>), counted once for the whole cluster. After a few free failures each
/// further attempt must wait, twice as long each time up to a cap; a success clears an account's
/// count, and a quiet quarter of an hour forgets either. So a stranger guessing slows an account
/// down instead of locking it out, and one address cannot try many accounts quickly.
/// The count lives in memory: a failover forgets it, which only helps the next guesser briefly.
/// </summary>
public interface ISignInThrottleGrain : IGrainWithStringKey
{
    /// <summary>How long until the next attempt may be checked; zero when it may be now.</summary>
    Task<TimeSpan> WaitAsync();

    /// <summary>A failed attempt; answers how long the next one must wait.</summary>
    Task<TimeSpan> FailedAsync();

    Task SucceededAsync();
}

public sealed class SignInThrottleGrain(TimeProvider clock) : Grain, ISignInThrottleGrain
{
    /// <summary>Failures forgotten after this long without one.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(15);

    private int failures;
    private DateTimeOffset lastFailure;
    private DateTimeOffset nextAllowed;

    private bool IsAddress => this.GetPrimaryKeyString().StartsWith("address:", StringComparison.Ordinal);

    /// <summary>Failures before any wait: an account 5, an address (many people behind one NAT) 20.</summary>
    private int Free => IsAddress ? 20 : 5;

    private TimeSpan Cap => IsAddress ? TimeSpan.FromMinutes(5) : TimeSpan.FromMinutes(1);

    public Task<TimeSpan> WaitAsync()
    {
        Forget();
        var wait = nextAllowed - clock.GetUtcNow();
        return Task.FromResult(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    public Task<TimeSpan> FailedAsync()
    {
        Forget();
        var now = clock.GetUtcNow();
        failures++;
        lastFailure = now;
        var over = failures - Free;
        if (over > 0)
        {
            var seconds = Math.Min(Cap.TotalSeconds, Math.Pow(2, Math.Min(over, 20)));
            nextAllowed = now + TimeSpan.FromSeconds(seconds);
        }
        return WaitAsync();
    }

    public Task SucceededAsync()
    {
        failures = 0;
        nextAllowed = default;
        return Task.CompletedTask;
    }

    private void Forget()
    {
        if (failures > 0 && clock.GetUtcNow() - lastFailure > ForgetAfter)
        {
            failures = 0;
            nextAllowed = default;
        }
    }
}
