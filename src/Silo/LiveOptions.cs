namespace Events.Silo;

/// <summary>Tunables of the live engine (configuration section "Live"). Defaults suit one machine.</summary>
public sealed class LiveOptions
{
    /// <summary>The least interval between two coalesced updates of one session (a change after a quiet spell goes out at once).</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest that interval grows to when sending to large audiences keeps the node's processor busy.</summary>
    public TimeSpan MaxTick { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often presence (unique viewers, views, peak) is written.</summary>
    public TimeSpan PresenceFlush { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a node reports its viewer count for a session to the other nodes when it has not changed.</summary>
    public TimeSpan PresenceHeartbeat { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A reporter the cluster does not know as a silo that has not reported a session's viewers for
    /// this long drops out of the sum; a silo the cluster lists as alive after five times this; a
    /// dead or stopping one at once.
    /// </summary>
    public TimeSpan PresenceExpiry { get; set; } = TimeSpan.FromSeconds(6);

    public int MaxBatch { get; set; } = 1000;

    /// <summary>How long a batch waits for more writes after its first.</summary>
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Writes a grain may have queued before it answers "try again".</summary>
    public int WriteQueueCapacity { get; set; } = 100_000;

    public int MaxChatLength { get; set; } = 500;

    /// <summary>Recent messages kept hot and sent on join.</summary>
    public int RecentChat { get; set; } = 50;

    /// <summary>A live stream that sends no segment for this long shows as interrupted.</summary>
    public TimeSpan StreamInterruptedAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Grains idle this long are dropped from memory.</summary>
    public TimeSpan IdleDeactivation { get; set; } = TimeSpan.FromMinutes(10);

    public void Validate()
    {
        static void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"Configuration 'Live:{key}' {problem}.");
            }
        }
        Check(Tick >= TimeSpan.FromMilliseconds(20) && Tick <= TimeSpan.FromSeconds(5), nameof(Tick), "must be between 00:00:00.020 and 00:00:05");
        Check(MaxTick >= Tick && MaxTick <= TimeSpan.FromSeconds(10), nameof(MaxTick), "must be at least Tick and at most 00:00:10");
        Check(PresenceFlush >= TimeSpan.FromMilliseconds(50) && PresenceFlush <= TimeSpan.FromSeconds(30), nameof(PresenceFlush), "must be between 00:00:00.050 and 00:00:30");
        // A busy session reports its viewers when its update goes out, at least every MaxTick.
        Check(PresenceExpiry > PresenceHeartbeat + MaxTick, nameof(PresenceExpiry), "must be longer than PresenceHeartbeat plus MaxTick");
        Check(MaxBatch is >= 1 and <= 10_000, nameof(MaxBatch), "must be between 1 and 10000");
        Check(BatchLinger >= TimeSpan.Zero && BatchLinger <= TimeSpan.FromMilliseconds(200), nameof(BatchLinger), "must be between 0 and 00:00:00.200");
        Check(WriteQueueCapacity >= MaxBatch, nameof(WriteQueueCapacity), "must be at least MaxBatch");
        Check(MaxChatLength is >= 1 and <= 4000, nameof(MaxChatLength), "must be between 1 and 4000");
        Check(RecentChat is >= 0 and <= 500, nameof(RecentChat), "must be between 0 and 500");
        Check(StreamInterruptedAfter >= TimeSpan.FromSeconds(1) && StreamInterruptedAfter <= TimeSpan.FromMinutes(10), nameof(StreamInterruptedAfter), "must be between 00:00:01 and 00:10:00");
        Check(IdleDeactivation >= TimeSpan.FromSeconds(1), nameof(IdleDeactivation), "must be at least one second");
    }
}
