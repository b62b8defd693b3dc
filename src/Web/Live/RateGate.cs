using System.Collections.Concurrent;

namespace Events.Web.Live;

/// <summary>
/// Token buckets per (person, action). HTTP rate limiting never sees WebSocket messages, so the
/// hub asks here before every command. Buckets of people gone quiet are dropped by
/// <see cref="Sweep"/> so memory follows the active audience.
/// </summary>
public sealed class RateGate(RateLimits limits, TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Who, string Action), Bucket> buckets = new();

    /// <summary>Takes one token; when none is left, returns false with how long until one is.</summary>
    public bool TryTake(string who, string action, out int retryAfterMs)
    {
        var limit = action switch
        {
            "chat" => limits.Chat,
            "vote" => limits.Vote,
            "react" => limits.React,
            "join" => limits.Join,
            "queue" => limits.Queue,
            "signal" => limits.Signal,
            _ => limits.Moderate,
        };
        var now = clock.GetTimestamp();
        var bucket = buckets.GetOrAdd((who, action), _ => new Bucket(limit.Burst, now));
        lock (bucket)
        {
            var elapsed = clock.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(limit.Burst, bucket.Tokens + elapsed * limit.PerSecond);
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfterMs = 0;
                return true;
            }
            retryAfterMs = (int)Math.Ceiling((1 - bucket.Tokens) / limit.PerSecond * 1000);
            return false;
        }
    }

    public int Sweep(TimeSpan idleFor)
    {
        var now = clock.GetTimestamp();
        var dropped = 0;
        foreach (var (key, bucket) in buckets)
        {
            if (clock.GetElapsedTime(bucket.Stamp, now) > idleFor && buckets.TryRemove(key, out _))
            {
                dropped++;
            }
        }
        return dropped;
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;
        public long Stamp { get; set; } = stamp;
    }
}
