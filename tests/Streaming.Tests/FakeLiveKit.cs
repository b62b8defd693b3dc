using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Events.Streaming.LiveKit;

namespace Events.Streaming.Tests;

/// <summary>
/// A stand-in for a LiveKit server on 127.0.0.1 (none can run here): its Twirp API for rooms,
/// ingress and egress answers as LiveKit does (snake_case, every field present, int64 as strings,
/// 401 for a bad token or a missing grant), which the compatibility tests check by running the
/// official SDK's clients against it. It records every request, and the tokens browsers connect
/// to <c>/rtc</c> with (it takes no WebRTC: the connection is refused after the token is seen).
/// Tests drive what LiveKit would do by itself: close a room, finish a recording.
/// </summary>
public sealed class FakeLiveKit : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private readonly ConcurrentDictionary<string, JsonObject> rooms = new();
    private readonly ConcurrentDictionary<string, JsonObject> egresses = new();
    private int sequence;

    public FakeLiveKit(string apiKey, string apiSecret)
    {
        ApiKey = apiKey;
        ApiSecret = apiSecret;
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        loop = Task.Run(ServeAsync);
    }

    public string ApiKey { get; }

    public string ApiSecret { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every Twirp call, in order: method path, content type, body and the token's claims (without its times).</summary>
    public ConcurrentQueue<FakeLiveKitRequest> Requests { get; } = new();

    /// <summary>The access tokens browsers connected to /rtc with.</summary>
    public ConcurrentQueue<string> RtcTokens { get; } = new();

    public IReadOnlyCollection<string> Rooms => rooms.Keys.ToArray();

    public void Reset()
    {
        Requests.Clear();
        RtcTokens.Clear();
    }

    /// <summary>Someone publishes in the room (OBS through the ingress, a speaker's camera), as ListRooms then reports.</summary>
    public void Publish(string name, int publishers = 1)
    {
        var room = rooms[name];
        room["num_publishers"] = publishers;
        room["num_participants"] = publishers;
    }

    /// <summary>The room closes, as LiveKit closes it after its last participant left.</summary>
    public void CloseRoom(string name) => rooms.TryRemove(name, out _);

    /// <summary>The recording finishes with its HLS playlist at this path in the bucket, as LiveKit Egress reports it.</summary>
    public JsonObject FinishEgress(string egressId, string status, string? playlistPath, double seconds)
    {
        var info = egresses[egressId];
        info["status"] = status;
        info["ended_at"] = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString();
        info["segment_results"] = playlistPath is null ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["playlist_name"] = playlistPath,
            ["live_playlist_name"] = "",
            ["duration"] = ((long)(seconds * 1e9)).ToString(),
            ["size"] = "0",
            ["playlist_location"] = "https://example.invalid/" + playlistPath,
            ["segment_count"] = "2",
        });
        return info;
    }

    public IReadOnlyList<string> EgressIds => egresses.Keys.Order().ToArray();

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var path = request.Url!.AbsolutePath;
            if (path.StartsWith("/rtc", StringComparison.Ordinal))
            {
                if (request.QueryString["access_token"] is { } token)
                {
                    RtcTokens.Enqueue(token);
                }
                await WriteAsync(response, 401, "text/plain", "this stand-in takes no WebRTC connections");
                return;
            }
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var auth = request.Headers["Authorization"] ?? "";
            var claims = auth.StartsWith("Bearer ", StringComparison.Ordinal)
                ? LiveKitTokens.Verify(auth["Bearer ".Length..], ApiKey, ApiSecret, DateTimeOffset.UtcNow, out _)
                : null;
            var recorded = claims?.DeepClone().AsObject();
            recorded?.Remove("exp");
            recorded?.Remove("nbf");
            Requests.Enqueue(new FakeLiveKitRequest(request.HttpMethod + " " + path, request.ContentType ?? "", body, recorded?.ToJsonString() ?? ""));
            if (claims is null)
            {
                await WriteAsync(response, 401, "text/plain", "invalid token");
                return;
            }
            var video = claims["video"] as JsonObject ?? [];
            JsonObject args;
            try
            {
                args = JsonNode.Parse(body.Length == 0 ? "{}" : body)!.AsObject();
            }
            catch (JsonException)
            {
                await TwirpErrorAsync(response, 400, "malformed", "the body is not JSON");
                return;
            }
            var (grant, answer) = path switch
            {
                "/twirp/livekit.RoomService/CreateRoom" => ("roomCreate", CreateRoom(args)),
                "/twirp/livekit.RoomService/ListRooms" => ("roomList", ListRooms(args)),
                "/twirp/livekit.RoomService/DeleteRoom" => ("roomCreate", DeleteRoom(args)),
                "/twirp/livekit.Ingress/CreateIngress" => ("ingressAdmin", CreateIngress(args)),
                "/twirp/livekit.Egress/StartRoomCompositeEgress" => ("roomRecord", StartEgress(args)),
                "/twirp/livekit.Egress/StopEgress" => ("roomRecord", StopEgress(args)),
                "/twirp/livekit.Egress/ListEgress" => ("roomRecord", ListEgress(args)),
                _ => ((string?)null, (JsonObject?)null),
            };
            if (grant is null)
            {
                await TwirpErrorAsync(response, 404, "bad_route", "no handler for " + path);
                return;
            }
            if (video[grant]?.GetValue<bool>() != true)
            {
                await TwirpErrorAsync(response, 401, "unauthenticated", "permissions denied");
                return;
            }
            if (answer is null)
            {
                await TwirpErrorAsync(response, 404, "not_found", "not found");
                return;
            }
            await WriteAsync(response, 200, "application/json", answer.ToJsonString());
        }
        catch (Exception e)
        {
            try
            {
                await WriteAsync(response, 500, "text/plain", e.Message);
            }
            catch (Exception)
            {
                // The client left.
            }
        }
    }

    private JsonObject CreateRoom(JsonObject args)
    {
        var name = Arg(args, "name");
        return rooms.GetOrAdd(name, _ => new JsonObject
        {
            ["sid"] = "RM_" + Interlocked.Increment(ref sequence),
            ["name"] = name,
            ["empty_timeout"] = (int?)Num(args, "empty_timeout") ?? 300,
            ["departure_timeout"] = (int?)Num(args, "departure_timeout") ?? 20,
            ["max_participants"] = 0,
            ["creation_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(),
            ["creation_time_ms"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(),
            ["turn_password"] = "",
            ["enabled_codecs"] = new JsonArray(),
            ["metadata"] = Arg(args, "metadata"),
            ["num_participants"] = 0,
            ["num_publishers"] = 0,
            ["active_recording"] = false,
        }).DeepClone().AsObject();
    }

    private JsonObject ListRooms(JsonObject args)
    {
        var names = (args["names"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToHashSet();
        return new JsonObject { ["rooms"] = new JsonArray(rooms.Values.Where(r => names is null || names.Contains(r["name"]!.GetValue<string>())).Select(r => (JsonNode)r.DeepClone()).ToArray()) };
    }

    private JsonObject? DeleteRoom(JsonObject args) => rooms.TryRemove(Arg(args, "room"), out _) ? [] : null;

    private JsonObject CreateIngress(JsonObject args)
    {
        var id = "IN_" + Interlocked.Increment(ref sequence);
        return new JsonObject
        {
            ["ingress_id"] = id,
            ["name"] = Arg(args, "name"),
            ["stream_key"] = "sk" + id,
            ["url"] = "rtmp://127.0.0.1:1935/x",
            ["input_type"] = Arg(args, "input_type") is { Length: > 0 } type ? type : "RTMP_INPUT",
            ["room_name"] = Arg(args, "room_name"),
            ["participant_identity"] = Arg(args, "participant_identity"),
            ["participant_name"] = Arg(args, "participant_name"),
            ["reusable"] = true,
            ["state"] = new JsonObject { ["status"] = "ENDPOINT_INACTIVE", ["error"] = "", ["room_id"] = "", ["started_at"] = "0", ["ended_at"] = "0", ["tracks"] = new JsonArray() },
        };
    }

    private JsonObject StartEgress(JsonObject args)
    {
        var id = "EG_" + Interlocked.Increment(ref sequence).ToString("D4");
        var info = new JsonObject
        {
            ["egress_id"] = id,
            ["room_id"] = rooms.TryGetValue(Arg(args, "room_name"), out var room) ? room["sid"]!.GetValue<string>() : "",
            ["room_name"] = Arg(args, "room_name"),
            ["status"] = "EGRESS_STARTING",
            ["started_at"] = "0",
            ["ended_at"] = "0",
            ["updated_at"] = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(),
            ["error"] = "",
            ["file_results"] = new JsonArray(),
            ["segment_results"] = new JsonArray(),
            ["request"] = args.DeepClone(),
        };
        egresses[id] = info;
        return Public(info);
    }

    private JsonObject? StopEgress(JsonObject args)
    {
        if (!egresses.TryGetValue(Arg(args, "egress_id"), out var info))
        {
            return null;
        }
        if (info["status"]!.GetValue<string>() is "EGRESS_STARTING" or "EGRESS_ACTIVE")
        {
            info["status"] = "EGRESS_ENDING";
        }
        return Public(info);
    }

    private JsonObject ListEgress(JsonObject args)
    {
        var room = Arg(args, "room_name");
        return new JsonObject { ["items"] = new JsonArray(egresses.Values.Where(e => room == "" || e["room_name"]!.GetValue<string>() == room).OrderBy(e => e["egress_id"]!.GetValue<string>()).Select(e => (JsonNode)Public(e)).ToArray()) };
    }

    /// <summary>The egress's request, as a recording asked for (for the tests); LiveKit answers it inside its own fields.</summary>
    public JsonObject EgressRequest(string egressId) => egresses[egressId]["request"]!.AsObject();

    private static JsonObject Public(JsonObject info)
    {
        var copy = info.DeepClone().AsObject();
        copy.Remove("request");
        return copy;
    }

    /// <summary>A request field in either key style (Twirp takes both).</summary>
    private static string Arg(JsonObject args, string snake)
    {
        var camel = string.Concat(snake.Split('_').Select((p, i) => i == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
        return (args[snake] ?? args[camel])?.GetValue<object>()?.ToString() ?? "";
    }

    private static long? Num(JsonObject args, string snake) => long.TryParse(Arg(args, snake), out var n) ? n : null;

    private static Task TwirpErrorAsync(HttpListenerResponse response, int status, string code, string message) =>
        WriteAsync(response, status, "application/json", new JsonObject { ["code"] = code, ["msg"] = message, ["meta"] = new JsonObject() }.ToJsonString());

    private static async Task WriteAsync(HttpListenerResponse response, int status, string type, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try
        {
            await loop;
        }
        catch (Exception)
        {
            // Stopping ends the loop with an exception on some platforms.
        }
    }
}

/// <summary>One request the stand-in received: <see cref="Claims"/> is the bearer token's claims without exp and nbf.</summary>
public sealed record FakeLiveKitRequest(string Call, string ContentType, string Body, string Claims);
