using System.Diagnostics;
using Events.Streaming.Blobs;
using Microsoft.Extensions.Logging;

namespace Events.Streaming.Replays;

/// <summary>
/// A replay's picture for the library: one frame from its first segment, made by ffmpeg and stored
/// beside the segments as <c>thumb.jpg</c> (480 px wide). Without ffmpeg there is none, and the
/// library shows a plain card.
/// </summary>
public sealed class Thumbnails(IBlobStore blobs, StreamingOptions options, ILogger<Thumbnails> logger)
{
    public const string Name = "thumb.jpg";

    /// <summary>Makes the picture in the background once a broadcast ended; a failure is logged, the replay plays without it.</summary>
    public void Start(string folder, string? firstSegment)
    {
        if (firstSegment is null)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await MakeAsync(folder, firstSegment, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Making the thumbnail of {Folder} failed", folder);
            }
        });
    }

    public async Task MakeAsync(string folder, string firstSegment, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.Rtmp.FfmpegPath))
        {
            return;
        }
        var work = Directory.CreateTempSubdirectory("thumb-").FullName;
        try
        {
            var input = Path.Combine(work, Path.GetFileName(firstSegment));
            await using (var read = await blobs.OpenAsync(folder + "/" + firstSegment, cancellationToken))
            {
                if (read is null)
                {
                    return;
                }
                await using var file = File.Create(input);
                await read.Content.CopyToAsync(file, cancellationToken);
            }
            var output = Path.Combine(work, Name);
            var info = new ProcessStartInfo(options.Rtmp.FfmpegPath) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-nostdin", "-i", input, "-ss", "1", "-frames:v", "1", "-vf", "scale=480:-2", "-q:v", "4", output })
            {
                info.ArgumentList.Add(a);
            }
            using var ffmpeg = Process.Start(info)!;
            var errors = ffmpeg.StandardError.ReadToEndAsync(cancellationToken);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await ffmpeg.WaitForExitAsync(bounded.Token);
            }
            catch (OperationCanceledException)
            {
                ffmpeg.Kill(entireProcessTree: true);
                throw;
            }
            // Seeking after the input: a first segment's timestamps need not start at 0.
            if (ffmpeg.ExitCode != 0 || !File.Exists(output))
            {
                logger.LogWarning("No thumbnail for {Folder}: ffmpeg said {Errors}", folder, (await errors).Trim());
                return;
            }
            await using var picture = File.OpenRead(output);
            await blobs.PutAsync(folder + "/" + Name, picture, 2 * 1024 * 1024, cancellationToken);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
