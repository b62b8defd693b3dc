using System.Security.Cryptography;
using System.Text.Json;

namespace Events.Streaming.LiveKit;

/// <summary>
/// Checks a webhook as LiveKit signs it (PROTOCOLS.md §1.3): the <c>Authorization</c> header is a
/// token of the webhook's API key (no "Bearer "), valid now, whose <c>sha256</c> claim is the
/// base64 SHA-256 of the exact body bytes, compared in constant time before the body is parsed.
/// </summary>
public static class LiveKitWebhooks
{
    /// <summary>The event when the body and its signature hold; otherwise null and why (for a 401).</summary>
    public static JsonDocument? Verify(ReadOnlySpan<byte> body, string? authorization, string apiKey, string apiSecret, DateTimeOffset now, out string? error)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            error = "unsigned";
            return null;
        }
        var claims = LiveKitTokens.Verify(authorization, apiKey, apiSecret, now, out error);
        if (claims is null)
        {
            return null;
        }
        var claimed = claims["sha256"]?.GetValue<string>();
        byte[] claimedHash;
        try
        {
            claimedHash = claimed is null ? [] : Convert.FromBase64String(claimed);
        }
        catch (FormatException)
        {
            claimedHash = [];
        }
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(body), claimedHash))
        {
            error = "the body is not the one signed";
            return null;
        }
        try
        {
            return JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException)
        {
            error = "the body is not JSON";
            return null;
        }
    }

    /// <summary>The header LiveKit would send with this body (for tests and for forwarding).</summary>
    public static string Sign(ReadOnlySpan<byte> body, string apiKey, string apiSecret, DateTimeOffset now, TimeSpan? validFor = null) =>
        LiveKitTokens.Mint(apiKey, apiSecret, identity: null, validFor ?? TimeSpan.FromMinutes(5), now, sha256: Convert.ToBase64String(SHA256.HashData(body)));
}

/// <summary>
/// A verified webhook's meaning: its <see cref="Id"/> (deduplicate on it), the event's name, when
/// LiveKit made it, and the room it concerns (from the room, the egress or the ingress it carries).
/// </summary>
public sealed record LiveKitWebhookEvent(string Id, string Event, DateTimeOffset CreatedAt, string? RoomName, string? RoomSid, LiveKitEgress? Egress)
{
    public static LiveKitWebhookEvent? Parse(JsonElement root)
    {
        var id = LiveKitJson.String(root, "id");
        var name = LiveKitJson.String(root, "event");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name))
        {
            return null;
        }
        var room = LiveKitJson.Get(root, "room");
        var egress = LiveKitJson.Get(root, "egressInfo") is { ValueKind: JsonValueKind.Object } info ? LiveKitEgress.Parse(info) : null;
        var ingress = LiveKitJson.Get(root, "ingressInfo");
        var roomName = room is { } r ? LiveKitJson.String(r, "name") : null;
        if (string.IsNullOrEmpty(roomName))
        {
            roomName = egress is { RoomName.Length: > 0 } ? egress.RoomName : ingress is { } i ? LiveKitJson.String(i, "roomName") : null;
        }
        return new LiveKitWebhookEvent(id, name, DateTimeOffset.FromUnixTimeSeconds(LiveKitJson.Int64(root, "createdAt")),
            string.IsNullOrEmpty(roomName) ? null : roomName, room is { } rs ? LiveKitJson.String(rs, "sid") : null, egress);
    }
}
