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

    /// <summary>
    /// A rendition ladder, for operators with the CPU: each OBS stream is re-encoded into these
    /// renditions (H.264 and AAC, a keyframe every 2 s) under one multivariant playlist, and players
    /// pick by their bandwidth. Empty (the default): one rendition, copied as OBS sends it.
    /// </summary>
    public List<Rendition> Ladder { get; set; } = [];

    /// <summary>The ffmpeg arguments after its input: copy, or the ladder's encodes (see <see cref="Ladder"/>).</summary>
    public string OutputArguments(string target)
    {
        if (Ladder.Count == 0)
        {
            return $"-c copy -f hls -hls_time 2 -hls_playlist_type event -method PUT -http_persistent 1 {target}/index.m3u8";
        }
        var n = Ladder.Count;
        var split = $"[0:v]split={n}" + string.Concat(Enumerable.Range(0, n).Select(i => $"[s{i}]")) + ";"
            + string.Join(";", Ladder.Select((r, i) => $"[s{i}]scale=-2:{r.Height}[v{i}]"));
        var maps = string.Concat(Enumerable.Range(0, n).Select(i => $" -map [v{i}] -map 0:a:0"));
        var rates = string.Concat(Ladder.Select((r, i) => $" -b:v:{i} {r.VideoKbps}k -maxrate:v:{i} {r.VideoKbps * 11 / 10}k -bufsize:v:{i} {r.VideoKbps * 2}k -b:a:{i} {r.AudioKbps}k"));
        var streams = string.Join(" ", Enumerable.Range(0, n).Select(i => $"v:{i},a:{i}"));
        // Quoted for nginx: the filter graph's ';' would end the directive.
        return $"-filter_complex \"{split}\"{maps} -c:v libx264 -preset veryfast -pix_fmt yuv420p -force_key_frames expr:gte(t,n_forced*2) -sc_threshold 0{rates} -c:a aac"
            + $" -f hls -hls_time 2 -hls_playlist_type event -master_pl_name master.m3u8 -var_stream_map \"{streams}\""
            + $" -hls_segment_filename {target}/v%v_%05d.ts -method PUT -http_persistent 1 {target}/v%v.m3u8";
    }

    public void Validate()
    {
        if (Ladder.Count > 6 || Ladder.Any(r => r.Height is < 90 or > 2160 || r.Height % 2 != 0 || r.VideoKbps is < 100 or > 50_000 || r.AudioKbps is < 32 or > 512))
        {
            throw new InvalidOperationException("Configuration 'Streaming:Rtmp:Ladder' takes at most 6 renditions, each with an even Height of 90 to 2160, VideoKbps of 100 to 50000 and AudioKbps of 32 to 512.");
        }
    }
}

/// <summary>One rendition of the ladder: its picture height (the width follows the source's shape) and bitrates.</summary>
public sealed class Rendition
{
    public int Height { get; set; }

    public int VideoKbps { get; set; }

    public int AudioKbps { get; set; } = 128;
}
