using System.Diagnostics;
using Events.Streaming.Blobs;
using Events.Streaming.Hls;
using Microsoft.Extensions.Logging;

namespace Events.Streaming.Replays;

/// <summary>What an import made: the playlist (beside its segments in the folder) and its length.</summary>
public sealed record ImportedRecording(string Playlist, double Seconds, bool Reencoded);

/// <summary>
/// Turns an uploaded recording (an organizer's file, or an edit replacing a replay) into an HLS
/// replay in a broadcast's folder, the way the live pushes are stored: ffmpeg cuts it into
/// 2-second MPEG-TS segments without re-encoding when its codecs allow (H.264/H.265 and AAC/MP3,
/// seconds for an hour), else re-encodes to H.264 and AAC. A file is taken only if its first bytes
/// are a video container's.
/// </summary>
public sealed class RecordingImport(IBlobStore blobs, StreamingOptions options, ILogger<RecordingImport> logger)
{
    /// <summary>The container a file's first bytes announce (MP4/MOV, MPEG-TS, Matroska/WebM, FLV), or null for anything else.</summary>
    public static string? ContainerOf(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 12 && head.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return "mp4";
        }
        if (head.Length >= 189 && head[0] == 0x47 && head[188] == 0x47)
        {
            return "mpegts";
        }
        if (head.Length >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3)
        {
            return "matroska";
        }
        if (head.Length >= 3 && head[..3].SequenceEqual("FLV"u8))
        {
            return "flv";
        }
        return null;
    }

    public bool Available => File.Exists(options.Rtmp.FfmpegPath);

    /// <summary>Imports a local file into the folder; null (and ffmpeg's reason, logged) when ffmpeg could read no video from it.</summary>
    public async Task<(ImportedRecording? Recording, string? Error)> ImportAsync(string file, string folder, string name, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("import-").FullName;
        try
        {
            var (exit, errors) = await FfmpegAsync(file, work, name, copy: true, cancellationToken);
            var reencoded = false;
            if (exit != 0)
            {
                logger.LogInformation("Importing {File} without re-encoding failed ({Errors}); re-encoding", Path.GetFileName(file), errors);
                foreach (var partial in Directory.GetFiles(work))
                {
                    File.Delete(partial);
                }
                (exit, errors) = await FfmpegAsync(file, work, name, copy: false, cancellationToken);
                reencoded = true;
            }
            var playlistPath = Path.Combine(work, name + ".m3u8");
            if (exit != 0 || !File.Exists(playlistPath))
            {
                return (null, errors.Length > 300 ? errors[..300] : errors);
            }
            var text = await File.ReadAllBytesAsync(playlistPath, cancellationToken);
            var (playlist, problem) = HlsPlaylist.Parse(text);
            if (playlist is null || playlist.Files.Count == 0)
            {
                return (null, problem ?? "no video in the file");
            }
            // Segments first, the playlist last: a reader never sees a playlist naming a missing segment.
            foreach (var segment in playlist.Files)
            {
                await using var content = File.OpenRead(Path.Combine(work, segment));
                await blobs.PutAsync(folder + "/" + segment, content, options.MaxSegmentBytes, cancellationToken);
            }
            await blobs.PutAsync(folder + "/" + name + ".m3u8", new MemoryStream(text), options.MaxPlaylistBytes, cancellationToken);
            return (new ImportedRecording(name + ".m3u8", Math.Round(playlist.Seconds, 3), reencoded), null);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<(int Exit, string Errors)> FfmpegAsync(string input, string work, string name, bool copy, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(options.Rtmp.FfmpegPath) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-i", input, "-map", "0:v:0", "-map", "0:a:0?" };
        args.AddRange(copy
            ? ["-c", "copy"]
            : ["-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k"]);
        args.AddRange(["-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_filename", Path.Combine(work, name + "_%05d.ts"), Path.Combine(work, name + ".m3u8")]);
        args.ForEach(info.ArgumentList.Add);
        using var ffmpeg = Process.Start(info)!;
        var errors = ffmpeg.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await ffmpeg.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            ffmpeg.Kill(entireProcessTree: true);
            throw;
        }
        return (ffmpeg.ExitCode, (await errors).Trim());
    }
}
