using Events.Silo;
using Events.Silo.Store;
using Events.Silo.Streams;
using Events.Streaming;
using Events.Streaming.LiveKit;

namespace Events.Web.Live;

/// <summary>
/// LiveKit's webhooks at <c>POST /livekit/webhook</c> (docs/live-api.md, "LiveKit"). The signature
/// is checked over the exact body bytes before anything is parsed; unsigned, tampered, expired or
/// foreign ones answer 401. Each event id is handled once (a redelivery answers 200 and changes
/// nothing); the session's stream grain takes events in any order.
/// </summary>
public static class LiveKitApi
{
    /// <summary>LiveKit's events are a few KB; anything much larger is not one.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public static void MapLiveKitApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/livekit/webhook", WebhookAsync).WithTags("Streaming").DisableAntiforgery()
            .WithSummary("LiveKit reports a room, track, ingress or egress event (signed).");
    }

    private static async Task<IResult> WebhookAsync(HttpContext context, LiveKitOptions options, IStreamStore store, LiveGrains grains,
        ISessionCatalog catalog, TimeProvider time, ILoggerFactory logs)
    {
        if (!options.Enabled)
        {
            return StreamingApi.Problem(404, "no_livekit", "This platform has no LiveKit server configured.");
        }
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return StreamingApi.Problem(413, "too_large", $"A webhook has at most {MaxBodyBytes} bytes.");
        }
        var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                return StreamingApi.Problem(413, "too_large", $"A webhook has at most {MaxBodyBytes} bytes.");
            }
            body.Write(buffer, 0, read);
        }
        var log = logs.CreateLogger(typeof(LiveKitApi));
        using var document = LiveKitWebhooks.Verify(body.GetBuffer().AsSpan(0, (int)body.Length), context.Request.Headers.Authorization.ToString(),
            options.ApiKey!, options.ApiSecret!, time.GetUtcNow(), out var error);
        if (document is null)
        {
            log.LogWarning("LiveKit webhook from {Address} refused: {Error}", context.Connection.RemoteIpAddress, error);
            return error is "unsigned"
                ? StreamingApi.Problem(401, "unsigned", "A webhook must carry LiveKit's signature in its Authorization header.")
                : error is "the body is not JSON"
                    ? StreamingApi.Problem(400, "malformed", "The body is not JSON.")
                    : StreamingApi.Problem(401, "bad_signature", "The webhook's signature does not hold: " + error + ".");
        }
        var e = LiveKitWebhookEvent.Parse(document.RootElement);
        if (e is null)
        {
            return StreamingApi.Problem(400, "malformed", "A webhook needs an 'id' and an 'event'.");
        }
        const string prefix = "session-";
        var sessionId = e.RoomName is { } room && room.StartsWith(prefix, StringComparison.Ordinal) ? room[prefix.Length..] : null;
        if (sessionId is null || !catalog.Exists(sessionId))
        {
            // Not a room of ours: acknowledged, so LiveKit does not retry it.
            log.LogInformation("LiveKit webhook {Id} ({Event}) for room {Room}: not a session's room, ignored", e.Id, e.Event, e.RoomName);
            return TypedResults.Ok(new WebhookAck(Handled: false, Duplicate: false));
        }
        try
        {
            if (!await IsNewAsync(store, e.Id))
            {
                return TypedResults.Ok(new WebhookAck(Handled: false, Duplicate: true));
            }
            // Handled, then recorded: a failure between the two makes LiveKit send it again, and the grain takes a repeat as a no-op.
            await grains.Stream(sessionId).LiveKitEventAsync(new LiveKitSignal(e.Event, e.CreatedAt.ToUnixTimeMilliseconds(),
                e.Egress is { } egress ? LiveKitStage.Recording(egress) : null));
            await store.RecordWebhookAsync(e.Id, time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch (Exception failure)
        {
            log.LogWarning(failure, "LiveKit webhook {Id} ({Event}) for session {Session} failed; LiveKit sends it again", e.Id, e.Event, sessionId);
            return StreamingApi.Problem(503, "try_again", "The webhook could not be handled now; send it again.");
        }
        log.LogInformation("LiveKit webhook {Id}: {Event} for session {Session}", e.Id, e.Event, sessionId);
        return TypedResults.Ok(new WebhookAck(Handled: true, Duplicate: false));
    }

    /// <summary>Whether the id was not handled before (the store's table is the memory; a read that fails is retried by LiveKit).</summary>
    private static async Task<bool> IsNewAsync(IStreamStore store, string id) => !await store.WebhookSeenAsync(id);

    private sealed record WebhookAck(bool Handled, bool Duplicate);
}
