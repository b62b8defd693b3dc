using System.Net;

namespace Events.Silo;

public enum ClusterProvider
{
    /// <summary>One silo on this machine, nothing to install: the embedded default.</summary>
    Localhost,

    /// <summary>Several nodes: membership in Redis (Orleans' Redis clustering provider).</summary>
    Redis,
}

/// <summary>
/// The Orleans cluster this node's silo joins (configuration section "Cluster"). Every node of
/// one deployment shares <see cref="ClusterId"/>, <see cref="ServiceId"/>, the Redis connection
/// and the store; each has its own <see cref="SiloPort"/> (and address, on several machines).
/// </summary>
public sealed class ClusterSettings
{
    public ClusterProvider Provider { get; set; } = ClusterProvider.Localhost;

    public string ClusterId { get; set; } = "alumni-live";

    public string ServiceId { get; set; } = "alumni-live";

    /// <summary>The address other silos reach this one at (and, unless <see cref="ListenOnAnyAddress"/>, the one it listens on).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface while advertising <see cref="AdvertisedAddress"/> (behind NAT or in containers).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port external Orleans clients connect to; 0 runs no gateway (the web tier is co-hosted and needs none).</summary>
    public int GatewayPort { get; set; }

    public RedisClusterSettings Redis { get; set; } = new();

    /// <summary>How long a silo may stop answering probes before the others declare it dead and take over its grains.</summary>
    public TimeSpan DeadNodeAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a grain call may take before the caller gets "try again".</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        static void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"Configuration 'Cluster:{key}' {problem}.");
            }
        }
        Check(!string.IsNullOrWhiteSpace(ClusterId), nameof(ClusterId), "is required");
        Check(!string.IsNullOrWhiteSpace(ServiceId), nameof(ServiceId), "is required");
        Check(IPAddress.TryParse(AdvertisedAddress, out _), nameof(AdvertisedAddress), "must be an IP address");
        Check(SiloPort is > 0 and <= 65535, nameof(SiloPort), "must be a port number between 1 and 65535");
        Check(GatewayPort is >= 0 and <= 65535 && GatewayPort != SiloPort, nameof(GatewayPort), "must be 0 (no gateway) or a port number other than SiloPort");
        Check(DeadNodeAfter >= TimeSpan.FromSeconds(1) && DeadNodeAfter <= TimeSpan.FromMinutes(2), nameof(DeadNodeAfter), "must be between 00:00:01 and 00:02:00");
        Check(CallTimeout >= TimeSpan.FromSeconds(1) && CallTimeout <= TimeSpan.FromMinutes(5), nameof(CallTimeout), "must be between 00:00:01 and 00:05:00");
        if (Provider == ClusterProvider.Redis)
        {
            Check(!string.IsNullOrWhiteSpace(Redis.ConnectionString), "Redis:ConnectionString", "is required when 'Cluster:Provider' is 'redis'");
            try
            {
                _ = StackExchange.Redis.ConfigurationOptions.Parse(Redis.ConnectionString!);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new InvalidOperationException($"Configuration 'Cluster:Redis:ConnectionString' is not a valid Redis connection string: {e.Message}", e);
            }
        }
    }
}

public sealed class RedisClusterSettings
{
    /// <summary>A StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string? ConnectionString { get; set; }
}
