using Events.Silo;
using Events.Silo.Streams;
using Events.Streaming;
using Events.Streaming.Replays;
using Events.Web.Accounts;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;

namespace Events.Web.Live;

/// <summary>
/// An organizer uploads a recording: <c>POST /sessions/{sessionId}/recordings</c> with the file as
/// the body publishes it as a new replay, <c>?replace={broadcastId}</c> as the new recording of a
/// replay (an edit made elsewhere). The file must be a video container (checked from its first
/// bytes); ffmpeg cuts it into the replay's segments, re-encoding only when its codecs need it.
/// Answers ProblemDetails (docs/live-api.md §8); nothing is published unless the whole file was
/// imported.
/// </summary>
public static class RecordingUploads
{
    public static void MapRecordingUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/sessions/{sessionId}/recordings", UploadAsync).WithTags("Streaming").DisableAntiforgery()
            .WithSummary("An organizer uploads a recording: a new replay, or the new recording of one (?replace=).");
    }

    private static async Task<IResult> UploadAsync(string sessionId, string? replace, HttpContext context, ISessionCatalog catalog, LiveGrains grains,
        RecordingImport import, Thumbnails thumbnails, StreamingOptions options, IAntiforgery antiforgery, TimeProvider time, ILoggerFactory logs,
        Accounts.Audit.AuditLog audit)
    {
        var caller = CallerFactory.From(context.User);
        if (!caller.IsSignedIn)
        {
            return StreamingApi.Problem(401, "unauthenticated", "Sign in as an organizer to upload a recording.");
        }
        // A browser's cookie must come with the page's antiforgery token; a bearer token needs none.
        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal) && !await antiforgery.IsRequestValidAsync(context))
        {
            return StreamingApi.Problem(400, "antiforgery", "Upload from the session's page (its antiforgery token is missing or stale: reload the page).");
        }
        if (!catalog.Exists(sessionId))
        {
            return StreamingApi.Problem(404, "unknown_session", $"There is no session '{sessionId}'.");
        }
        if (!caller.CanOrganize)
        {
            return StreamingApi.Problem(403, "forbidden", "This needs the organizer role.");
        }
        if (replace is not null && !StreamPaths.IsBroadcastId(replace))
        {
            return StreamingApi.Problem(404, "unknown_replay", $"There is no replay '{replace}' in this session.");
        }
        if (context.Request.ContentLength > options.MaxUploadBytes)
        {
            return TooLarge(options);
        }
        if (!import.Available)
        {
            return StreamingApi.Problem(503, "no_ffmpeg", $"This server has no ffmpeg ({options.Rtmp.FfmpegPath}), which importing a recording needs: install Debian's ffmpeg package.");
        }
        var stream = grains.Stream(sessionId);
        var begun = await stream.BeginUploadAsync(caller, replace);
        if (!begun.IsOk)
        {
            return StreamingApi.Problem(begun.Error!);
        }
        var broadcastId = begun.Value!;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxUploadBytes;
        }
        var log = logs.CreateLogger(typeof(RecordingUploads));
        var file = Path.Combine(Path.GetTempPath(), "upload-" + Guid.NewGuid().ToString("N"));
        try
        {
            long length = 0;
            var head = new byte[256];
            var headLength = 0;
            await using (var target = File.Create(file))
            {
                var buffer = new byte[81920];
                int read;
                try
                {
                    while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                    {
                        length += read;
                        if (length > options.MaxUploadBytes)
                        {
                            return TooLarge(options);
                        }
                        var take = Math.Min(read, head.Length - headLength);
                        if (take > 0)
                        {
                            Array.Copy(buffer, 0, head, headLength, take);
                            headLength += take;
                            // The first bytes decide: a file that is not a video is refused before the rest is read.
                            if (headLength == head.Length && RecordingImport.ContainerOf(head) is null)
                            {
                                return NotVideo();
                            }
                        }
                        await target.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    }
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    return TooLarge(options);
                }
                catch (Exception e) when (e is IOException or BadHttpRequestException)
                {
                    return StreamingApi.Problem(400, "incomplete", "The upload broke off; send the whole file again.");
                }
            }
            if (RecordingImport.ContainerOf(head.AsSpan(0, headLength)) is null)
            {
                return NotVideo();
            }
            var folder = StreamPaths.Folder(sessionId, broadcastId);
            var name = "upload-" + time.GetUtcNow().ToUnixTimeMilliseconds();
            var (recording, error) = await import.ImportAsync(file, folder, name, context.RequestAborted);
            if (recording is null)
            {
                log.LogWarning("Session {Session}: an uploaded recording could not be imported: {Error}", sessionId, error);
                return StreamingApi.Problem(422, "unreadable_video", "ffmpeg could read no video from the file: " + error);
            }
            var published = await stream.PublishUploadAsync(caller, broadcastId, replace is not null, recording.Playlist, recording.Seconds);
            if (!published.IsOk)
            {
                return StreamingApi.Problem(published.Error!);
            }
            thumbnails.Start(folder, recording.Playlist.Replace(".m3u8", "_00000.ts"));
            log.LogInformation("Session {Session}: recording of {Bytes} bytes imported as {Folder}/{Playlist} ({Seconds:F0} s, re-encoded: {Reencoded})",
                sessionId, length, folder, recording.Playlist, recording.Seconds, recording.Reencoded);
            await audit.WriteAsync(caller, context.Connection.RemoteIpAddress?.ToString(), Accounts.Audit.AuditActions.RecordingUploaded, sessionId + "/" + broadcastId,
                FormattableString.Invariant($"{length} bytes, {recording.Seconds:0} s{(replace is null ? "" : ", replacing " + replace)}"));
            return TypedResults.Created(published.Value!.Playlist, published.Value);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IResult TooLarge(StreamingOptions options) =>
        StreamingApi.Problem(413, "too_large", $"A recording has at most {options.MaxUploadBytes:N0} bytes (Streaming:MaxUploadBytes).");

    private static IResult NotVideo() =>
        StreamingApi.Problem(415, "not_video", "This file is not a video: upload an MP4, MOV, MKV, WebM, FLV or MPEG-TS recording.");
}
