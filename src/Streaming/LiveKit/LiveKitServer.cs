using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Events.Streaming.LiveKit;

/// <summary>A room as LiveKit's RoomService reports it.</summary>
public sealed record LiveKitRoom(string Sid, string Name, int NumParticipants, int NumPublishers);

/// <summary>An ingress: where OBS sends (<see cref="Url"/>, RTMP) with which <see cref="StreamKey"/>.</summary>
public sealed record LiveKitIngress(string IngressId, string Url, string StreamKey);

/// <summary>
/// An egress (a recording) as LiveKit reports it, from the Twirp API or a webhook.
/// <see cref="Playlist"/> is the HLS playlist's path in the bucket when segments were written,
/// <see cref="Seconds"/> their length.
/// </summary>
public sealed record LiveKitEgress(string EgressId, string RoomName, string Status, string? Playlist, double Seconds, string? Error)
{
    public bool Active => Status is "EGRESS_STARTING" or "EGRESS_ACTIVE" or "EGRESS_ENDING";

    public bool Complete => Status is "EGRESS_COMPLETE";

    /// <summary>Reads an EgressInfo in either of LiveKit's key styles (protojson camelCase in webhooks, snake_case from Twirp).</summary>
    public static LiveKitEgress Parse(JsonElement info)
    {
        string? playlist = null;
        double seconds = 0;
        if (LiveKitJson.Get(info, "segmentResults") is { ValueKind: JsonValueKind.Array } segments && segments.GetArrayLength() > 0)
        {
            playlist = LiveKitJson.String(segments[0], "playlistName");
            seconds = LiveKitJson.Int64(segments[0], "duration") / 1e9;
        }
        else if (LiveKitJson.Get(info, "segments") is { ValueKind: JsonValueKind.Object } single)
        {
            playlist = LiveKitJson.String(single, "playlistName");
            seconds = LiveKitJson.Int64(single, "duration") / 1e9;
        }
        var error = LiveKitJson.String(info, "error");
        return new LiveKitEgress(LiveKitJson.String(info, "egressId") ?? "", LiveKitJson.String(info, "roomName") ?? "",
            LiveKitJson.String(info, "status") ?? "EGRESS_STARTING", string.IsNullOrEmpty(playlist) ? null : playlist, seconds,
            string.IsNullOrEmpty(error) ? null : error);
    }
}

/// <summary>Where a LiveKit egress uploads: an Azure Blob Storage container (LiveKit writes to Azure's public endpoint).</summary>
public sealed record LiveKitAzureUpload(string AccountName, string AccountKey, string ContainerName);

/// <summary>A refusal from LiveKit's server API: the HTTP status and Twirp's error code and message.</summary>
public sealed class LiveKitException(int status, string code, string message) : Exception($"LiveKit answered {status} {code}: {message}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}

/// <summary>
/// LiveKit's server API over Twirp (PROTOCOLS.md §1.2): <c>POST {url}/twirp/livekit.{Service}/{Method}</c>
/// with a JSON body and a 10-minute bearer token carrying just the grant the call needs, the body
/// and headers the official server SDK sends for the same call (checked by the tests, request for
/// request). Responses are read in both of LiveKit's key styles.
/// </summary>
public sealed class LiveKitServer(HttpClient http, Uri url, string apiKey, string apiSecret, TimeProvider? time = null)
{
    private static readonly TimeSpan CallTokenLifetime = TimeSpan.FromMinutes(10);
    private readonly TimeProvider time = time ?? TimeProvider.System;

    public async Task<LiveKitRoom> CreateRoomAsync(string name, int emptyTimeoutSeconds, int departureTimeoutSeconds, string? metadata, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["name"] = name, ["emptyTimeout"] = emptyTimeoutSeconds };
        if (!string.IsNullOrEmpty(metadata))
        {
            body["metadata"] = metadata;
        }
        body["departureTimeout"] = departureTimeoutSeconds;
        using var answer = await CallAsync("RoomService", "CreateRoom", body, new LiveKitVideoGrant { RoomCreate = true }, cancellationToken);
        return ParseRoom(answer.RootElement);
    }

    /// <summary>The rooms with these names that exist now (all rooms when no names are given).</summary>
    public async Task<IReadOnlyList<LiveKitRoom>> ListRoomsAsync(IReadOnlyCollection<string>? names, CancellationToken cancellationToken)
    {
        var body = new JsonObject();
        if (names is { Count: > 0 })
        {
            body["names"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray());
        }
        using var answer = await CallAsync("RoomService", "ListRooms", body, new LiveKitVideoGrant { RoomList = true }, cancellationToken);
        return Items(answer.RootElement, "rooms").Select(ParseRoom).ToArray();
    }

    public async Task DeleteRoomAsync(string room, CancellationToken cancellationToken)
    {
        using var _ = await CallAsync("RoomService", "DeleteRoom", new JsonObject { ["room"] = room }, new LiveKitVideoGrant { RoomCreate = true }, cancellationToken);
    }

    /// <summary>An RTMP ingress into the room: LiveKit gives the URL and stream key OBS sends to.</summary>
    public async Task<LiveKitIngress> CreateRtmpIngressAsync(string name, string room, string participantIdentity, string participantName, CancellationToken cancellationToken)
    {
        // RTMP_INPUT is the enum's default (0), which the SDK leaves out of the body.
        var body = new JsonObject { ["name"] = name, ["roomName"] = room, ["participantIdentity"] = participantIdentity, ["participantName"] = participantName };
        using var answer = await CallAsync("Ingress", "CreateIngress", body, new LiveKitVideoGrant { IngressAdmin = true }, cancellationToken);
        var info = answer.RootElement;
        return new LiveKitIngress(LiveKitJson.String(info, "ingressId") ?? "", LiveKitJson.String(info, "url") ?? "", LiveKitJson.String(info, "streamKey") ?? "");
    }

    public async Task DeleteIngressAsync(string ingressId, CancellationToken cancellationToken)
    {
        using var _ = await CallAsync("Ingress", "DeleteIngress", new JsonObject { ["ingressId"] = ingressId }, new LiveKitVideoGrant { IngressAdmin = true }, cancellationToken);
    }

    /// <summary>
    /// Records the room as one picture (LiveKit's room composite): HLS segments of
    /// <paramref name="segmentSeconds"/> under <paramref name="folder"/> (the replay, played by our
    /// player) and an MP4 beside them (the download), both uploaded to <paramref name="upload"/>.
    /// </summary>
    public async Task<LiveKitEgress> StartRoomCompositeEgressAsync(string room, string folder, string playlistName, int segmentSeconds, LiveKitAzureUpload upload, CancellationToken cancellationToken)
    {
        JsonObject Azure() => new() { ["accountName"] = upload.AccountName, ["accountKey"] = upload.AccountKey, ["containerName"] = upload.ContainerName };
        var body = new JsonObject
        {
            ["roomName"] = room,
            ["layout"] = "speaker",
            ["fileOutputs"] = new JsonArray(new JsonObject { ["fileType"] = "MP4", ["filepath"] = folder + "/recording.mp4", ["azure"] = Azure() }),
            ["segmentOutputs"] = new JsonArray(new JsonObject
            {
                ["protocol"] = "HLS_PROTOCOL",
                ["filenamePrefix"] = folder + "/seg",
                ["playlistName"] = playlistName,
                ["segmentDuration"] = segmentSeconds,
                ["azure"] = Azure(),
            }),
        };
        using var answer = await CallAsync("Egress", "StartRoomCompositeEgress", body, new LiveKitVideoGrant { RoomRecord = true }, cancellationToken);
        return LiveKitEgress.Parse(answer.RootElement);
    }

    public async Task<LiveKitEgress> StopEgressAsync(string egressId, CancellationToken cancellationToken)
    {
        using var answer = await CallAsync("Egress", "StopEgress", new JsonObject { ["egressId"] = egressId }, new LiveKitVideoGrant { RoomRecord = true }, cancellationToken);
        return LiveKitEgress.Parse(answer.RootElement);
    }

    /// <summary>The room's egresses, finished ones too (for the reconciliation).</summary>
    public async Task<IReadOnlyList<LiveKitEgress>> ListEgressAsync(string room, CancellationToken cancellationToken)
    {
        using var answer = await CallAsync("Egress", "ListEgress", new JsonObject { ["roomName"] = room }, new LiveKitVideoGrant { RoomRecord = true }, cancellationToken);
        return Items(answer.RootElement, "items").Select(LiveKitEgress.Parse).ToArray();
    }

    private async Task<JsonDocument> CallAsync(string service, string method, JsonObject body, LiveKitVideoGrant grant, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, $"twirp/livekit.{service}/{method}"));
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
        // Written as the SDK writes it (no space before charset): some proxies in front of LiveKit compare it as a string.
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json;charset=UTF-8");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            LiveKitTokens.Mint(apiKey, apiSecret, identity: null, CallTokenLifetime, time.GetUtcNow(), grant));
        request.Headers.UserAgent.ParseAdd("events-platform");
        request.Headers.Add("X-Livekit-Request-Id", Guid.NewGuid().ToString());
        using var response = await http.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            string code = "unknown", message = Encoding.UTF8.GetString(bytes);
            try
            {
                using var error = JsonDocument.Parse(bytes);
                code = LiveKitJson.String(error.RootElement, "code") ?? code;
                message = LiveKitJson.String(error.RootElement, "msg") ?? message;
            }
            catch (JsonException)
            {
                // A plain-text body (401 from LiveKit's auth) is the message itself.
            }
            throw new LiveKitException((int)response.StatusCode, code, message.Length > 300 ? message[..300] : message);
        }
        try
        {
            return JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
        }
        catch (JsonException)
        {
            throw new LiveKitException((int)response.StatusCode, "malformed", "the answer is not JSON");
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement root, string name) =>
        LiveKitJson.Get(root, name) is { ValueKind: JsonValueKind.Array } items ? items.EnumerateArray() : [];

    private static LiveKitRoom ParseRoom(JsonElement room) => new(
        LiveKitJson.String(room, "sid") ?? "", LiveKitJson.String(room, "name") ?? "",
        (int)LiveKitJson.Int64(room, "numParticipants"), (int)LiveKitJson.Int64(room, "numPublishers"));
}

/// <summary>Reads LiveKit's JSON in both key styles: protojson's lowerCamelCase and the proto's snake_case; int64 as a string or a number.</summary>
public static class LiveKitJson
{
    public static JsonElement? Get(JsonElement element, string camelName)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (element.TryGetProperty(camelName, out var value))
        {
            return value;
        }
        var snake = new StringBuilder(camelName.Length + 4);
        foreach (var c in camelName)
        {
            if (char.IsUpper(c))
            {
                snake.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                snake.Append(c);
            }
        }
        return element.TryGetProperty(snake.ToString(), out value) ? value : null;
    }

    public static string? String(JsonElement element, string camelName) =>
        Get(element, camelName) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static long Int64(JsonElement element, string camelName) => Get(element, camelName) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var v) => v,
        { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), out var v) => v,
        _ => 0,
    };
}
