using Events.Streaming.Rtmp;

namespace Events.Streaming;

/// <summary>Settings of the <c>Streaming</c> section (bound strictly: an unknown key stops the start).</summary>
public sealed class StreamingOptions
{
    public const string Section = "Streaming";

    /// <summary>The longest segment or init section an encoder may push (2-second segments at a high bitrate are a few MB).</summary>
    public long MaxSegmentBytes { get; set; } = 32 * 1024 * 1024;

    public long MaxPlaylistBytes { get; set; } = 1024 * 1024;

    /// <summary>Where the local blob store keeps its files; <c>{Data:Path}/blobs</c> when unset.</summary>
    public string? BlobPath { get; set; }

    /// <summary>Which blob store: the local folder (the default) or Azure Blob Storage (<c>Streaming:Blobs</c>).</summary>
    public BlobSettings Blobs { get; set; } = new();

    /// <summary>RTMP ingest for OBS (<c>Streaming:Rtmp</c>).</summary>
    public RtmpOptions Rtmp { get; set; } = new();

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
        if (Blobs.Provider == BlobProvider.Azure && string.IsNullOrWhiteSpace(Blobs.Azure.ConnectionString))
        {
            throw new InvalidOperationException("Configuration 'Streaming:Blobs:Azure:ConnectionString' is required with 'Streaming:Blobs:Provider' = azure.");
        }
        if (Blobs.Provider == BlobProvider.Azure && !System.Text.RegularExpressions.Regex.IsMatch(Blobs.Azure.Container, "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$"))
        {
            throw new InvalidOperationException("Configuration 'Streaming:Blobs:Azure:Container' must be an Azure container name (3 to 63 lowercase letters, digits and single hyphens).");
        }
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
}
