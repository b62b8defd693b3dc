using Events.Silo;
using Events.Silo.Streams;
using Events.Streaming.Blobs;
using Events.Streaming.Hls;
using Events.Streaming.Replays;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Events.Web.Live;

/// <summary>
/// The HLS origin over HTTP: encoders PUT a broadcast's files to <c>/ingest/{session}/{key}/{file}</c>
/// (ffmpeg's <c>-f hls -method PUT</c>), viewers GET them from <c>/hls/{session}/{broadcast}/{file}</c>.
/// Refusals are ProblemDetails (docs/live-api.md, "Streaming"); a refused file leaves nothing behind.
/// </summary>
public static class StreamingApi
{
    public static void MapStreamingApi(this IEndpointRouteBuilder app)
    {
        var rtmp = app.MapGroup("/ingest/rtmp").WithTags("Streaming").ExcludeFromDescription();
        rtmp.MapPost("/publish", RtmpPublishAsync).DisableAntiforgery();
        rtmp.MapPost("/done", RtmpDone).DisableAntiforgery();
        rtmp.MapPut("/{name}/{file}", (string name, string file, HttpRequest request, LiveGrains grains, ISessionCatalog catalog, HlsOrigin origin, ILoggerFactory logs) =>
            RtmpName.TrySplit(name, out var sessionId, out var key)
                ? PutAsync(sessionId, key, file, request, grains, catalog, origin, logs)
                : Task.FromResult(Problem(404, "unknown_session", "Not a stream of this platform.")));
        var ingest = app.MapGroup("/ingest/{sessionId}/{streamKey}").WithTags("Streaming");
        ingest.MapPut("/{file}", PutAsync).WithSummary("An encoder pushes a segment or a playlist of the session's broadcast.").DisableAntiforgery();
        ingest.MapDelete("/{file}", DeleteAsync).WithSummary("An encoder drops an old segment: kept for the replay, answered 204.");
        app.MapGet("/hls/{sessionId}/{broadcastId}/{file}", GetAsync).WithTags("Streaming").WithSummary("A viewer fetches a playlist or a segment.");
        app.MapGet("/replays/{sessionId}/{broadcastId}/timeline", TimelineAsync).WithTags("Streaming").WithSummary("A replay's chapters and chat, in seconds of its video.");
    }

    private static async Task<IResult> TimelineAsync(string sessionId, string broadcastId, HttpContext context, ISessionCatalog catalog, ReplayTimelines timelines)
    {
        if (!catalog.Exists(sessionId) || !StreamPaths.IsBroadcastId(broadcastId))
        {
            return Problem(404, "not_found", $"There is no replay '{broadcastId}' of session '{sessionId}'.");
        }
        var timeline = await timelines.GetAsync(sessionId, broadcastId, context.RequestAborted);
        if (timeline is null)
        {
            return Problem(404, "not_found", $"There is no replay '{broadcastId}' of session '{sessionId}' (or its broadcast has not ended).");
        }
        // The same for every viewer: caches and CDNs keep it a minute (a deletion shows within two).
        context.Response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromMinutes(1) };
        return TypedResults.Ok(timeline);
    }

    /// <summary>
    /// nginx asks before it takes a publisher (its <c>on_publish</c>, a form with the stream name):
    /// 2xx accepts, anything else refuses, so a wrong key sends nothing anywhere. Only this node's
    /// own nginx may ask (loopback).
    /// </summary>
    private static async Task<IResult> RtmpPublishAsync(HttpContext context, LiveGrains grains, ISessionCatalog catalog, RtmpPublishers publishers, ILoggerFactory logs)
    {
        if (!FromOwnIngest(context))
        {
            return Problem(403, "forbidden", "Only this node's RTMP ingest may call this.");
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var name = form["name"].ToString();
        var log = logs.CreateLogger(typeof(StreamingApi));
        if (form["app"] != "live" || !RtmpName.TrySplit(name, out var sessionId, out var key) || !catalog.Exists(sessionId))
        {
            log.LogWarning("RTMP publisher from {Address} refused: {Name} is not a session's stream key", form["addr"].ToString(), RtmpName.Redacted(name));
            return Problem(403, "wrong_stream_key", "The stream key is not a session's key.");
        }
        var admitted = await grains.Stream(sessionId).AdmitAsync(key, mayStart: true);
        if (!admitted.IsOk)
        {
            log.LogWarning("RTMP publisher from {Address} refused for session {Session}: {Code}", form["addr"].ToString(), sessionId, admitted.Error!.Code);
            return Problem(admitted.Error);
        }
        if (!publishers.TryStart(name, admitted.Value!))
        {
            log.LogWarning("RTMP publisher from {Address} refused for session {Session}: another encoder is live on its key", form["addr"].ToString(), sessionId);
            return Problem(409, "already_live", "Another encoder is live with this stream key.");
        }
        log.LogInformation("RTMP publisher from {Address} accepted for session {Session}", form["addr"].ToString(), sessionId);
        return TypedResults.NoContent();
    }

    /// <summary>The publisher left (nginx's <c>on_publish_done</c>): if its ffmpeg does not end the playlist soon, the platform does.</summary>
    private static async Task<IResult> RtmpDone(HttpContext context, RtmpPublishers publishers)
    {
        if (!FromOwnIngest(context))
        {
            return Problem(403, "forbidden", "Only this node's RTMP ingest may call this.");
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        publishers.Stopped(form["name"].ToString());
        return TypedResults.NoContent();
    }

    private static bool FromOwnIngest(HttpContext context) => context.Connection.RemoteIpAddress is { } from && System.Net.IPAddress.IsLoopback(from);

    /// <summary>A grain's refusal over HTTP: a wrong key or role 403, an unknown replay 404, no push under way or one under way 409, the rest (try_again) 503.</summary>
    internal static IResult Problem(LiveError error) => Problem(error.Code switch
    {
        "wrong_stream_key" or "forbidden" => 403,
        "unknown_replay" => 404,
        "not_streaming" or "already_live" => 409,
        _ => 503,
    }, error.Code, error.Message);

    internal static IResult Problem(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: code, type: "https://events.example/problems/" + code);

    private static async Task<IResult> PutAsync(string sessionId, string streamKey, string file, HttpRequest request, LiveGrains grains, ISessionCatalog catalog, HlsOrigin origin, ILoggerFactory logs)
    {
        if (!catalog.Exists(sessionId))
        {
            return Problem(404, "unknown_session", $"There is no session '{sessionId}'.");
        }
        if (!HlsFiles.IsValidName(file))
        {
            return Problem(400, "invalid_file", $"'{file}' is not a playlist (.m3u8) or a segment (.ts, .m4s, .mp4) name of letters, digits, '_' and '-'.");
        }
        // Kestrel's default cap (30 MB) is not the origin's: the origin counts the bytes itself.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        var stream = grains.Stream(sessionId);
        var admitted = await stream.AdmitAsync(streamKey, mayStart: !HlsFiles.IsPlaylist(file));
        var body = request.Body;
        if (admitted.Error?.Code == "not_streaming" && HlsFiles.IsPlaylist(file))
        {
            // A ladder's multivariant playlist can arrive before the first segment (ffmpeg sends them
            // on separate connections): it joins the broadcast that segment starts. The key was
            // checked above; a media playlist still starts nothing.
            var buffered = new MemoryStream();
            try
            {
                // At most 64 KB and a byte more: a longer playlist is no ladder's, and is refused as it was.
                var chunk = new byte[16 * 1024];
                int read;
                while (buffered.Length <= 64 * 1024 && (read = await request.Body.ReadAsync(chunk, CancellationToken.None)) > 0)
                {
                    buffered.Write(chunk, 0, read);
                }
            }
            catch (IOException)
            {
                return Problem(400, "incomplete", "The upload ended before its content did; nothing was kept.");
            }
            if (buffered.Length <= 64 * 1024 && HlsMaster.Parse(buffered.GetBuffer().AsSpan(0, (int)buffered.Length)) is ({ }, _))
            {
                admitted = await stream.AdmitAsync(streamKey, mayStart: true);
            }
            buffered.Position = 0;
            body = buffered;
        }
        if (!admitted.IsOk)
        {
            return Problem(admitted.Error!);
        }
        var ticket = admitted.Value!;
        IngestResult result;
        try
        {
            // Not the request's abort token: ffmpeg sends its last segment and the playlist's end and
            // exits without waiting for the answers; a file that arrived whole is taken all the same
            // (one cut short fails its read as incomplete).
            result = await origin.ReceiveAsync(ticket.Folder, file, body, CancellationToken.None);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            logs.CreateLogger(typeof(StreamingApi)).LogWarning(e, "Receiving {File} for session {Session} failed", file, sessionId);
            return Problem(400, "incomplete", "The upload ended before its content did; nothing was kept.");
        }
        if (result.Refusal is { } refused)
        {
            return Problem(refused.Status, refused.Code, refused.Detail);
        }
        if (!HlsFiles.IsPlaylist(file))
        {
            try
            {
                await stream.SegmentStoredAsync(ticket.BroadcastId, result.Bytes);
            }
            catch (Exception e)
            {
                // The segment is stored but its broadcast could not be recorded: the encoder sends it again.
                logs.CreateLogger(typeof(StreamingApi)).LogWarning(e, "Recording segment {File} of session {Session} failed", file, sessionId);
                return Problem(503, "try_again", "The stream could not be recorded just now; send the file again.");
            }
        }
        if (result.Published is { } published)
        {
            await stream.PlaylistPublishedAsync(ticket.BroadcastId, published.Name, published.Seconds, published.Ended);
        }
        return TypedResults.Created();
    }

    private static async Task<IResult> DeleteAsync(string sessionId, string streamKey, string file, LiveGrains grains, ISessionCatalog catalog)
    {
        if (!catalog.Exists(sessionId))
        {
            return Problem(404, "unknown_session", $"There is no session '{sessionId}'.");
        }
        var admitted = await grains.Stream(sessionId).AdmitAsync(streamKey, mayStart: false);
        return admitted.IsOk || admitted.Error!.Code == "not_streaming" ? TypedResults.NoContent() : Problem(admitted.Error);
    }

    private static async Task<IResult> GetAsync(string sessionId, string broadcastId, string file, HttpContext context, IBlobStore blobs, ReplayEditor replays, Events.Streaming.StreamingOptions options)
    {
        var path = StreamPaths.Folder(sessionId, broadcastId) + "/" + file;
        if (!(HlsFiles.IsValidName(file) || file == Thumbnails.Name) || !BlobPath.IsValid(path))
        {
            return Problem(400, "invalid_path", "Not a playlist or segment name.");
        }
        if (await replays.IsHiddenAsync(sessionId, broadcastId))
        {
            return Problem(404, "not_found", "This replay has been hidden by the organizers.");
        }
        if (!HlsFiles.IsPlaylist(file) && options.Blobs.Azure.DirectReads && blobs is AzureBlobStore azure)
        {
            // The browser reads the segment from the storage account (a SAS link; the account's CORS
            // rule lets the player follow it). The redirect itself is not kept: each is signed afresh.
            context.Response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { NoStore = true };
            return TypedResults.Redirect((await azure.ReadLinkAsync(path, options.Blobs.Azure.DirectReadLifetime)).ToString());
        }
        var blob = await blobs.OpenAsync(path, context.RequestAborted);
        if (blob is null)
        {
            return Problem(404, "not_found", $"'{file}' is not (or not yet) part of this broadcast.");
        }
        var headers = context.Response.GetTypedHeaders();
        if (HlsFiles.IsPlaylist(file))
        {
            // A live playlist changes every segment; a finished one (the replay) does not.
            using var reader = new StreamReader(blob.Content);
            var text = await reader.ReadToEndAsync(context.RequestAborted);
            var ended = text.Contains(HlsPlaylist.EndTag, StringComparison.Ordinal);
            headers.CacheControl = ended
                ? new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromMinutes(5) }
                : new CacheControlHeaderValue { NoCache = true };
            return TypedResults.Text(text, blob.Info.ContentType);
        }
        // A segment never changes once published: caches and CDNs keep it.
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new NameValueHeaderValue("immutable") } };
        return TypedResults.Stream(blob.Content, blob.Info.ContentType, lastModified: blob.Info.LastModified, enableRangeProcessing: true);
    }
}
