using Events.Streaming.Rtmp;

namespace Events.Streaming;

/// <summary>Settings of the <c>Streaming</c> section (bound strictly: an unknown key stops the start).</summary>
public sealed class StreamingOptions
{
    public const string Section = "Streaming";

    /// <summary>The longest segment or init section an encoder may push (2-second segments at a high bitrate are a few MB).</summary>
    public long MaxSegmentBytes { get; set; } = 32 * 1024 * 1024;

    public long MaxPlaylistBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a push over HTTP may send nothing before the platform ends its broadcast with the
    /// last playlist it published (an encoder that stopped without its final playlist); an encoder
    /// back within it carries on in the same broadcast.
    /// </summary>
    public TimeSpan EndIdlePushAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest recording an organizer may upload (a two-hour talk at 4 Mbit/s is about 3.6 GB).</summary>
    public long MaxUploadBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Where the local blob store keeps its files; <c>{Data:Path}/blobs</c> when unset.</summary>
    public string? BlobPath { get; set; }

    /// <summary>Which blob store: the local folder (the default) or Azure Blob Storage (<c>Streaming:Blobs</c>).</summary>
    public BlobSettings Blobs { get; set; } = new();

    /// <summary>RTMP ingest for OBS (<c>Streaming:Rtmp</c>).</summary>
    public RtmpOptions Rtmp { get; set; } = new();

    /// <summary>A LiveKit server for WebRTC stages (<c>Streaming:LiveKit</c>); off unless its URL, key and secret are set.</summary>
    public LiveKitOptions LiveKit { get; set; } = new();

    public void Validate()
    {
        if (MaxSegmentBytes is < 64 * 1024 or > 1024L * 1024 * 1024)
        {
            throw new InvalidOperationException("Configuration 'Streaming:MaxSegmentBytes' must be between 65536 and 1073741824.");
        }
        if (MaxPlaylistBytes is < 4 * 1024 or > 16 * 1024 * 1024)
        {
            throw new InvalidOperationException("Configuration 'Streaming:MaxPlaylistBytes' must be between 4096 and 16777216.");
        }
        if (EndIdlePushAfter < TimeSpan.FromSeconds(1) || EndIdlePushAfter > TimeSpan.FromHours(6))
        {
            throw new InvalidOperationException("Configuration 'Streaming:EndIdlePushAfter' must be between 00:00:01 and 06:00:00.");
        }
        if (MaxUploadBytes < 1024 * 1024)
        {
            throw new InvalidOperationException("Configuration 'Streaming:MaxUploadBytes' must be at least 1048576.");
        }
        if (Blobs.Provider == BlobProvider.Azure && string.IsNullOrWhiteSpace(Blobs.Azure.ConnectionString))
        {
            throw new InvalidOperationException("Configuration 'Streaming:Blobs:Azure:ConnectionString' is required with 'Streaming:Blobs:Provider' = azure.");
        }
        if (Blobs.Provider == BlobProvider.Azure && !System.Text.RegularExpressions.Regex.IsMatch(Blobs.Azure.Container, "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$"))
        {
            throw new InvalidOperationException("Configuration 'Streaming:Blobs:Azure:Container' must be an Azure container name (3 to 63 lowercase letters, digits and single hyphens).");
        }
        if (Blobs.Azure.DirectReads && (Blobs.Azure.DirectReadLifetime < TimeSpan.FromMinutes(1) || Blobs.Azure.DirectReadLifetime > TimeSpan.FromDays(7)))
        {
            throw new InvalidOperationException("Configuration 'Streaming:Blobs:Azure:DirectReadLifetime' must be between 00:01:00 and 7.00:00:00.");
        }
        Rtmp.Validate();
        LiveKit.Validate(Blobs);
        if (Rtmp.Port is < 1 or > 65535)
        {
            throw new InvalidOperationException("Configuration 'Streaming:Rtmp:Port' must be between 1 and 65535.");
        }
        if (!System.Net.IPAddress.TryParse(Rtmp.Address, out _))
        {
            throw new InvalidOperationException("Configuration 'Streaming:Rtmp:Address' must be an IP address.");
        }
    }
}

public enum BlobProvider
{
    Local,
    Azure,
}

public sealed class BlobSettings
{
    public BlobProvider Provider { get; set; } = BlobProvider.Local;

    public AzureBlobSettings Azure { get; set; } = new();
}

public sealed class AzureBlobSettings
{
    /// <summary>A storage account connection string with its key (read links are signed with it).</summary>
    public string? ConnectionString { get; set; }

    public string Container { get; set; } = "events";

    /// <summary>
    /// Browsers read segments and pictures straight from the storage account: <c>/hls</c> answers
    /// them with a redirect to a read-only SAS link valid <see cref="DirectReadLifetime"/> (playlists
    /// are still served by the platform, uncached while live). The account gets a CORS rule for
    /// <see cref="CorsOrigins"/> at start.
    /// </summary>
    public bool DirectReads { get; set; }

    public TimeSpan DirectReadLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The site's origins (scheme, host and port) allowed to read directly; "*" for any.</summary>
    public string[] CorsOrigins { get; set; } = ["*"];
}

public sealed class LiveKitOptions
{
    /// <summary>The LiveKit server's HTTP(S) address (its API); browsers connect to the same host over WS(S).</summary>
    public string? Url { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiSecret { get; set; }

    /// <summary>How long a viewer's or speaker's token may be used to connect (LiveKit refreshes it itself once connected).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often open LiveKit broadcasts are compared with the server's rooms and recordings.</summary>
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Seconds a room is kept after the last participant left (LiveKit's departure_timeout).</summary>
    public int DepartureTimeoutSeconds { get; set; } = 20;

    /// <summary>Where recordings are uploaded (LiveKit writes to Azure's public endpoint); from the Azure blob store's connection string when unset.</summary>
    public LiveKitEgressOptions Egress { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    internal void Validate(BlobSettings blobs)
    {
        if (!Enabled)
        {
            return;
        }
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException("Configuration 'Streaming:LiveKit:Url' must be an http or https URL (the LiveKit server's API).");
        }
        if (string.IsNullOrWhiteSpace(ApiKey) || string.IsNullOrWhiteSpace(ApiSecret) || ApiSecret.Length < 32)
        {
            throw new InvalidOperationException("Configuration 'Streaming:LiveKit:ApiKey' and 'Streaming:LiveKit:ApiSecret' (32 characters or more) are required with 'Streaming:LiveKit:Url'.");
        }
        if (TokenLifetime < TimeSpan.FromMinutes(1) || TokenLifetime > TimeSpan.FromHours(6))
        {
            throw new InvalidOperationException("Configuration 'Streaming:LiveKit:TokenLifetime' must be between 00:01:00 and 06:00:00.");
        }
        if (ReconcileEvery < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException("Configuration 'Streaming:LiveKit:ReconcileEvery' must be at least 00:00:01.");
        }
        if (Egress.AccountName is null && blobs.Provider == BlobProvider.Azure)
        {
            var parts = (blobs.Azure.ConnectionString ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            Egress.AccountName = parts.GetValueOrDefault("AccountName");
            Egress.AccountKey ??= parts.GetValueOrDefault("AccountKey");
            Egress.Container ??= blobs.Azure.Container;
        }
    }
}

public sealed class LiveKitEgressOptions
{
    public string? AccountName { get; set; }

    public string? AccountKey { get; set; }

    public string? Container { get; set; }

    public bool Configured => !string.IsNullOrEmpty(AccountName) && !string.IsNullOrEmpty(AccountKey) && !string.IsNullOrEmpty(Container);
}
