using System.Diagnostics;

namespace Events.Web.Tests.Infrastructure;

/// <summary>Debian's ffmpeg, pushing a test picture and tone as HLS over HTTP PUT, as an organizer's encoder would.</summary>
public static class Ffmpeg
{
    public const string Path = "/usr/bin/ffmpeg";

    /// <summary>
    /// Starts a push of <paramref name="seconds"/> of test video in 2-second segments to an ingest
    /// URL, in real time (<c>-re</c>) unless <paramref name="realTime"/> is false. The process ends by
    /// itself; it is killed if still running after the test's bound.
    /// </summary>
    public static Process StartPush(string ingestUrl, int seconds, bool realTime = true, bool persistent = true)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: the README's test command installs Debian's ffmpeg package.");
        var args = new List<string> { "-hide_banner", "-loglevel", "warning", "-nostdin" };
        if (realTime)
        {
            args.Add("-re");
        }
        args.AddRange([
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", seconds.ToString(),
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k",
            "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "event", "-method", "PUT",
            "-http_persistent", persistent ? "1" : "0",
            ingestUrl]);
        var info = new ProcessStartInfo(Path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        args.ForEach(info.ArgumentList.Add);
        return Process.Start(info)!;
    }

    /// <summary>
    /// Writes <paramref name="seconds"/> of test video as a finished HLS recording (2-second
    /// segments <c>seg_00000.ts</c>..., playlist <c>index.m3u8</c>) into a folder, as LiveKit's
    /// egress leaves one in the bucket. Not real time: about a second here.
    /// </summary>
    public static async Task WriteRecordingAsync(string folder, int seconds)
    {
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo(Path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "-hide_banner", "-loglevel", "error", "-nostdin",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", seconds.ToString(), "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_filename", System.IO.Path.Combine(folder, "seg_%05d.ts"),
            System.IO.Path.Combine(folder, "index.m3u8"),
        })
        {
            info.ArgumentList.Add(a);
        }
        using var ffmpeg = Process.Start(info)!;
        var (exit, errors) = await WaitAsync(ffmpeg, TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, "ffmpeg could not write the recording: " + errors);
    }

    /// <summary>Starts a push of test video over RTMP, as OBS sends it (FLV, H.264 with a keyframe every 2 s, AAC).</summary>
    public static Process StartRtmpPush(string rtmpUrl, int seconds)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: the README's test command installs Debian's ffmpeg package.");
        var info = new ProcessStartInfo(Path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] {
            "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", seconds.ToString(),
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k", "-f", "flv", rtmpUrl })
        {
            info.ArgumentList.Add(a);
        }
        return Process.Start(info)!;
    }

    /// <summary>Waits for a push to end and returns what it printed; fails if it runs past the bound.</summary>
    public static async Task<(int ExitCode, string Errors)> WaitAsync(Process push, TimeSpan bound)
    {
        var errors = push.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await push.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            push.Kill(entireProcessTree: true);
            Assert.Fail($"ffmpeg ran past {bound.TotalSeconds} s");
        }
        return (push.ExitCode, await errors);
    }
}
