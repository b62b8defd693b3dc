using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Events.Streaming.LiveKit;

/// <summary>
/// A LiveKit grant (the token's <c>video</c> claim), with LiveKit's JSON names; a field left null is
/// left out, as the official SDK leaves out what was not granted.
/// </summary>
public sealed record LiveKitVideoGrant
{
    [JsonPropertyName("roomCreate")] public bool? RoomCreate { get; init; }
    [JsonPropertyName("roomList")] public bool? RoomList { get; init; }
    [JsonPropertyName("roomRecord")] public bool? RoomRecord { get; init; }
    [JsonPropertyName("roomAdmin")] public bool? RoomAdmin { get; init; }
    [JsonPropertyName("roomJoin")] public bool? RoomJoin { get; init; }
    [JsonPropertyName("room")] public string? Room { get; init; }
    [JsonPropertyName("canPublish")] public bool? CanPublish { get; init; }
    [JsonPropertyName("canSubscribe")] public bool? CanSubscribe { get; init; }
    [JsonPropertyName("canPublishData")] public bool? CanPublishData { get; init; }
    [JsonPropertyName("ingressAdmin")] public bool? IngressAdmin { get; init; }

    /// <summary>A viewer, as LiveKit's livestream example makes one: watches and sends data (chat, reactions), publishes nothing.</summary>
    public static LiveKitVideoGrant Viewer(string room) => new() { RoomJoin = true, Room = room, CanPublish = false, CanSubscribe = true, CanPublishData = true };

    /// <summary>A speaker on stage: publishes camera, microphone and screen, and watches.</summary>
    public static LiveKitVideoGrant Speaker(string room) => new() { RoomJoin = true, Room = room, CanPublish = true, CanSubscribe = true, CanPublishData = true };
}

/// <summary>
/// LiveKit's access tokens: JWTs signed HS256 with the API secret, <c>iss</c> the API key,
/// <c>sub</c> the participant's identity, <c>nbf</c> and <c>exp</c> (PROTOCOLS.md §1.1). Minted with
/// the same claims, in the same shape, as the official server SDK mints them (checked by the tests
/// against livekit-server-sdk), and verified as LiveKit verifies them (HS256 only, the key, the
/// expiry with a minute's leeway).
/// </summary>
public static class LiveKitTokens
{
    private static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Mint(string apiKey, string apiSecret, string? identity, TimeSpan ttl, DateTimeOffset now,
        LiveKitVideoGrant? video = null, string? name = null, string? metadata = null, string? sha256 = null)
    {
        if (video is { RoomJoin: true } && string.IsNullOrEmpty(identity))
        {
            throw new ArgumentException("A token that joins a room needs an identity.", nameof(identity));
        }
        var claims = new JsonObject();
        if (metadata is not null)
        {
            claims["metadata"] = metadata;
        }
        if (name is not null)
        {
            claims["name"] = name;
        }
        if (video is not null)
        {
            claims["video"] = JsonSerializer.SerializeToNode(video, Json);
        }
        if (sha256 is not null)
        {
            claims["sha256"] = sha256;
        }
        claims["iss"] = apiKey;
        claims["exp"] = now.Add(ttl).ToUnixTimeSeconds();
        claims["nbf"] = now.ToUnixTimeSeconds();
        if (!string.IsNullOrEmpty(identity))
        {
            claims["sub"] = identity;
        }
        var header = Base64Url("{\"alg\":\"HS256\"}"u8);
        var payload = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiSecret), Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    /// <summary>The token's claims when it is valid for this key and secret now; otherwise null and why.</summary>
    public static JsonObject? Verify(string? token, string apiKey, string apiSecret, DateTimeOffset now, out string? error)
    {
        error = null;
        var parts = token?.Split('.');
        if (parts is not { Length: 3 })
        {
            error = "not a JWT";
            return null;
        }
        JsonObject? header, claims;
        try
        {
            header = JsonNode.Parse(FromBase64Url(parts[0])) as JsonObject;
            claims = JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            error = "not a JWT";
            return null;
        }
        if (header?["alg"]?.GetValue<string>() != "HS256" || claims is null)
        {
            error = "only HS256 tokens are accepted";
            return null;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiSecret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        byte[] given;
        try
        {
            given = FromBase64Url(parts[2]);
        }
        catch (FormatException)
        {
            error = "bad signature";
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            error = "bad signature";
            return null;
        }
        if (claims["iss"]?.GetValue<string>() != apiKey)
        {
            error = "issued for another API key";
            return null;
        }
        if (claims["exp"] is not JsonValue exp || !exp.TryGetValue<long>(out var expires))
        {
            error = "no expiry";
            return null;
        }
        if (now - Leeway > DateTimeOffset.FromUnixTimeSeconds(expires))
        {
            error = "expired";
            return null;
        }
        if (claims["nbf"] is JsonValue nbf && nbf.TryGetValue<long>(out var notBefore) && now + Leeway < DateTimeOffset.FromUnixTimeSeconds(notBefore))
        {
            error = "not valid yet";
            return null;
        }
        return claims;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] FromBase64Url(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
