namespace Events.Web.Live;

/// <summary>Per-person limits on hub commands (configuration section "RateLimits"): a burst, then a steady rate per second.</summary>
public sealed class RateLimits
{
    public BucketLimit Chat { get; set; } = new() { Burst = 5, PerSecond = 0.5 };
    public BucketLimit Vote { get; set; } = new() { Burst = 10, PerSecond = 5 };
    public BucketLimit React { get; set; } = new() { Burst = 20, PerSecond = 10 };
    public BucketLimit Join { get; set; } = new() { Burst = 20, PerSecond = 2 };
    public BucketLimit Moderate { get; set; } = new() { Burst = 30, PerSecond = 5 };

    /// <summary>Booth queues: joining, leaving, calling, answering, the representatives' board.</summary>
    public BucketLimit Queue { get; set; } = new() { Burst = 20, PerSecond = 2 };

    /// <summary>A call's WebRTC messages: an offer, an answer and a burst of candidates per call.</summary>
    public BucketLimit Signal { get; set; } = new() { Burst = 60, PerSecond = 10 };

    /// <summary>Registrations and account mail, per hour (<see cref="Events.Web.Accounts.AccountRateLimits"/>).</summary>
    public Events.Web.Accounts.AccountRateLimits Accounts { get; set; } = new();

    public void Validate()
    {
        Accounts.Validate();
        foreach (var (name, limit) in new[] { ("Chat", Chat), ("Vote", Vote), ("React", React), ("Join", Join), ("Moderate", Moderate), ("Queue", Queue), ("Signal", Signal) })
        {
            if (limit.Burst < 1 || limit.PerSecond <= 0)
            {
                throw new InvalidOperationException($"Configuration 'RateLimits:{name}' needs Burst >= 1 and PerSecond > 0.");
            }
        }
    }
}

public sealed class BucketLimit
{
    public int Burst { get; set; }
    public double PerSecond { get; set; }
}
