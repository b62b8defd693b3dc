namespace Events.Streaming.Rtmp;

/// <summary>
/// RTMP ingest (what OBS speaks), served by Debian's nginx with its RTMP module, which the platform
/// starts and supervises: nginx asks the platform before it accepts a publisher, and hands each
/// accepted stream to ffmpeg, which pushes it to the platform's HLS origin.
/// </summary>
public sealed class RtmpOptions
{
    /// <summary>Off: no RTMP. On (the default): RTMP when nginx, its RTMP module and ffmpeg are installed; the control room says what is missing otherwise.</summary>
    public bool Enabled { get; set; } = true;

    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1935;

    /// <summary>The server address shown to organizers for OBS, e.g. <c>rtmp://live.example.edu/live</c>; by default built from the page's host and <see cref="Port"/>.</summary>
    public string? PublicUrl { get; set; }

    public string NginxPath { get; set; } = "/usr/sbin/nginx";

    public string ModulePath { get; set; } = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    public string FfmpegPath { get; set; } = "/usr/bin/ffmpeg";
}
