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
