using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Events.Streaming.LiveKit;

namespace Events.Streaming.Tests;

/// <summary>
/// Wire compatibility with LiveKit, proven against its official server SDK (npm
/// livekit-server-sdk 2.19.2, run by Node): our tokens verify with its verifier and carry the same
/// claims as its own for the same grants; webhooks it signs verify with ours, ours with it, and a
/// tampered, expired, foreign or unsigned one with neither. No LiveKit server can run here.
/// </summary>
public sealed class LiveKitCompatibilityTests
{
    private const string Key = "APIevents1";
    private const string Secret = "a-secret-of-at-least-thirty-two-characters";

    private static async Task<(int Exit, string Output)> SdkAsync(params string[] args)
    {
        var script = FindSdkScript();
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)! };
        info.ArgumentList.Add(script);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await node.WaitForExitAsync(bound.Token);
        return (node.ExitCode, node.ExitCode == 0 ? (await output).Trim() : (await errors).Trim());
    }

    private static string FindSdkScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "livekit", "sdk.mjs");
            if (File.Exists(script) && Directory.Exists(Path.Combine(dir.FullName, "livekit", "node_modules", "livekit-server-sdk")))
            {
                return script;
            }
        }
        throw new InvalidOperationException("livekit-server-sdk is missing: building tests/Streaming.Tests installs it with npm (tests/Streaming.Tests/livekit).");
    }

    [Fact]
    public async Task Our_viewer_and_speaker_tokens_verify_with_the_sdk_and_carry_the_claims_it_would_mint()
    {
        foreach (var (grant, json) in new[]
        {
            (LiveKitVideoGrant.Viewer("contest-final"), """{"roomJoin":true,"room":"contest-final","canPublish":false,"canSubscribe":true,"canPublishData":true}"""),
            (LiveKitVideoGrant.Speaker("contest-final"), """{"roomJoin":true,"room":"contest-final","canPublish":true,"canSubscribe":true,"canPublishData":true}"""),
        })
        {
            var ours = LiveKitTokens.Mint(Key, Secret, "u-42", TimeSpan.FromHours(6), DateTimeOffset.UtcNow, grant, name: "Ann Lee");
            var (exit, verified) = await SdkAsync("verify", Key, Secret, ours);
            Assert.True(exit == 0, "the SDK refused our token: " + verified);
            var (mintExit, theirs) = await SdkAsync("mint", Key, Secret, "u-42", "Ann Lee", json, "21600");
            Assert.True(mintExit == 0, theirs);
            var ourClaims = JsonNode.Parse(verified)!.AsObject();
            var theirClaims = LiveKitTokens.Verify(theirs, Key, Secret, DateTimeOffset.UtcNow, out var error);
            Assert.True(theirClaims is not null, "we refused the SDK's token: " + error);
            // The same claims, the times apart (minted a moment apart): same names, same values, same lifetime.
            Assert.Equal(Without(theirClaims!, "exp", "nbf"), Without(ourClaims, "exp", "nbf"));
            Assert.Equal(21600, ourClaims["exp"]!.GetValue<long>() - ourClaims["nbf"]!.GetValue<long>());
            Assert.Equal(theirs.Split('.')[0], ours.Split('.')[0]);
        }
    }

    [Fact]
    public async Task The_sdk_refuses_our_token_with_another_secret_and_we_refuse_foreign_expired_and_unsigned_ones()
    {
        var ours = LiveKitTokens.Mint(Key, Secret, "u-1", TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow, LiveKitVideoGrant.Viewer("s1"));
        Assert.NotEqual(0, (await SdkAsync("verify", Key, Secret + "x", ours)).Exit);
        var (_, theirs) = await SdkAsync("mint", Key, Secret, "u-1", "", """{"roomJoin":true,"room":"s1"}""", "600");
        Assert.Null(LiveKitTokens.Verify(theirs, Key, Secret + "x", DateTimeOffset.UtcNow, out var wrongSecret));
        Assert.Equal("bad signature", wrongSecret);
        Assert.Null(LiveKitTokens.Verify(theirs, "APIother", Secret, DateTimeOffset.UtcNow, out var wrongKey));
        Assert.Equal("issued for another API key", wrongKey);
        Assert.Null(LiveKitTokens.Verify(theirs, Key, Secret, DateTimeOffset.UtcNow.AddMinutes(12), out var expired));
        Assert.Equal("expired", expired);
        var unsigned = System.Buffers.Text.Base64Url.EncodeToString("""{"alg":"none"}"""u8) + "." + theirs.Split('.')[1] + ".";
        Assert.Null(LiveKitTokens.Verify(unsigned, Key, Secret, DateTimeOffset.UtcNow, out var none));
        Assert.Equal("only HS256 tokens are accepted", none);
        Assert.Throws<ArgumentException>(() => LiveKitTokens.Mint(Key, Secret, "", TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow, LiveKitVideoGrant.Viewer("s1")));
    }

    [Fact]
    public async Task Webhooks_signed_by_the_sdk_verify_with_ours_and_ours_with_the_sdk_and_a_tampered_one_with_neither()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"egress_ended","id":"EV_8Vw3","createdAt":"1796180000","egressInfo":{"egressId":"EG_1","roomName":"contest-final","status":"EGRESS_COMPLETE"}}""");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, body);
            var (exit, signed) = await SdkAsync("webhook-sign", Key, Secret, file);
            Assert.True(exit == 0, signed);
            using var verified = LiveKitWebhooks.Verify(body, signed, Key, Secret, DateTimeOffset.UtcNow, out var error);
            Assert.True(verified is not null, "we refused the SDK's webhook: " + error);
            Assert.Equal("egress_ended", verified!.RootElement.GetProperty("event").GetString());

            var ours = LiveKitWebhooks.Sign(body, Key, Secret, DateTimeOffset.UtcNow);
            var (receiveExit, received) = await SdkAsync("webhook-receive", Key, Secret, file, ours);
            Assert.True(receiveExit == 0, "the SDK refused our webhook: " + received);
            Assert.Equal("EV_8Vw3", JsonNode.Parse(received)!["id"]!.GetValue<string>());

            // One byte changed after signing: refused by both.
            var tampered = (byte[])body.Clone();
            tampered[^3] = (byte)'X';
            Assert.Null(LiveKitWebhooks.Verify(tampered, signed, Key, Secret, DateTimeOffset.UtcNow, out var tamperedError));
            Assert.Equal("the body is not the one signed", tamperedError);
            await File.WriteAllBytesAsync(file, tampered);
            Assert.NotEqual(0, (await SdkAsync("webhook-receive", Key, Secret, file, ours)).Exit);

            Assert.Null(LiveKitWebhooks.Verify(body, null, Key, Secret, DateTimeOffset.UtcNow, out var unsigned));
            Assert.Equal("unsigned", unsigned);
            Assert.Null(LiveKitWebhooks.Verify(body, signed, Key, Secret, DateTimeOffset.UtcNow.AddMinutes(7), out var late));
            Assert.Equal("expired", late);
            Assert.Null(LiveKitWebhooks.Verify(body, signed, Key, "another-secret-of-thirty-two-chars!!", DateTimeOffset.UtcNow, out var foreign));
            Assert.Equal("bad signature", foreign);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_server_call_we_make_is_the_request_the_sdk_sends_and_we_read_its_answers_as_the_sdk_does()
    {
        await using var liveKit = new FakeLiveKit(Key, Secret);
        var (exit, sdkRead) = await SdkAsync("calls", Key, Secret, liveKit.Url);
        Assert.True(exit == 0, "the SDK's calls failed against the stand-in: " + sdkRead);
        var sdkRequests = liveKit.Requests.ToArray();

        // The same calls, made by us, in the same order (sdk.mjs "calls"), to a fresh stand-in (which gives the same ids).
        await using var fresh = new FakeLiveKit(Key, Secret);
        using var http = new HttpClient();
        var server = new LiveKitServer(http, new Uri(fresh.Url + "/"), Key, Secret);
        var ct = CancellationToken.None;
        var azure = new LiveKitAzureUpload("acct", "a2V5", "events");
        var room = await server.CreateRoomAsync("session-final", 86400, 20, null, ct);
        var listed = await server.ListRoomsAsync(["session-final"], ct);
        var obs = await server.CreateRtmpIngressAsync("OBS final", "session-final", "obs", "OBS", ct);
        var started = await server.StartRoomCompositeEgressAsync("session-final", "live/final/b1", "index.m3u8", 2, azure, ct);
        var stopped = await server.StopEgressAsync(started.EgressId, ct);
        var items = await server.ListEgressAsync("session-final", ct);
        await server.DeleteRoomAsync("session-final", ct);
        var after = await server.ListRoomsAsync(["session-final"], ct);
        var ourRequests = fresh.Requests.ToArray();

        Assert.Equal(sdkRequests.Length, ourRequests.Length);
        for (var i = 0; i < sdkRequests.Length; i++)
        {
            var (sdk, ours) = (sdkRequests[i], ourRequests[i]);
            Assert.Equal(sdk.Call, ours.Call);
            Assert.Equal(sdk.ContentType, ours.ContentType);
            // Bodies equal as JSON (key order aside), and tokens with the same grants.
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sdk.Body), JsonNode.Parse(ours.Body)), $"{sdk.Call}: the SDK sent {sdk.Body}, we sent {ours.Body}");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sdk.Claims), JsonNode.Parse(ours.Claims)), $"{sdk.Call}: the SDK's token {sdk.Claims}, ours {ours.Claims}");
        }

        // What each side read from the stand-in's answers (ids differ: each run made its own).
        var read = JsonNode.Parse(sdkRead)!.AsArray();
        Assert.Equal("session-final", read[0]!["name"]!.GetValue<string>());
        Assert.StartsWith("RM_", read[0]!["sid"]!.GetValue<string>());
        Assert.Equal(("session-final", 0, 0), (room.Name, room.NumParticipants, room.NumPublishers));
        Assert.StartsWith("RM_", room.Sid);
        Assert.Equal(["session-final"], read[1]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["session-final"], listed.Select(r => r.Name));
        Assert.StartsWith("IN_", read[2]!["ingressId"]!.GetValue<string>());
        Assert.Equal(read[2]!["url"]!.GetValue<string>(), obs.Url);
        Assert.StartsWith("skIN_", obs.StreamKey);
        Assert.Equal(read[3]!["status"]!.GetValue<string>(), started.Status);
        Assert.Equal("session-final", started.RoomName);
        Assert.Equal(read[4]!["status"]!.GetValue<string>(), stopped.Status);
        Assert.Equal(read[5]!.AsArray().Select(n => n!["status"]!.GetValue<string>()), items.Where(e => e.EgressId == started.EgressId).Select(e => e.Status));
        Assert.Equal(0, read[6]!.GetValue<int>());
        Assert.Empty(after);
    }

    [Fact]
    public async Task A_call_with_a_wrong_secret_is_refused_with_livekits_status_and_code()
    {
        await using var liveKit = new FakeLiveKit(Key, Secret);
        using var http = new HttpClient();
        var wrong = new LiveKitServer(http, new Uri(liveKit.Url + "/"), Key, Secret + "x");
        var refused = await Assert.ThrowsAsync<LiveKitException>(() => wrong.ListRoomsAsync(null, CancellationToken.None));
        Assert.Equal(401, refused.Status);
        var missing = await Assert.ThrowsAsync<LiveKitException>(() =>
            new LiveKitServer(http, new Uri(liveKit.Url + "/"), Key, Secret).StopEgressAsync("EG_none", CancellationToken.None));
        Assert.Equal((404, "not_found"), (missing.Status, missing.Code));
    }

    [Fact]
    public void Egress_results_are_read_in_both_of_livekits_key_styles()
    {
        using var webhook = System.Text.Json.JsonDocument.Parse("""{"egressId":"EG_1","roomName":"session-a","status":"EGRESS_COMPLETE","segmentResults":[{"playlistName":"live/a/b1/index.m3u8","duration":"6500000000"}]}""");
        using var twirp = System.Text.Json.JsonDocument.Parse("""{"egress_id":"EG_1","room_name":"session-a","status":"EGRESS_COMPLETE","error":"","segment_results":[{"playlist_name":"live/a/b1/index.m3u8","duration":6500000000}]}""");
        var expected = new LiveKitEgress("EG_1", "session-a", "EGRESS_COMPLETE", "live/a/b1/index.m3u8", 6.5, null);
        Assert.Equal(expected, LiveKitEgress.Parse(webhook.RootElement));
        Assert.Equal(expected, LiveKitEgress.Parse(twirp.RootElement));
        Assert.True(expected.Complete);
        Assert.False(expected.Active);
    }

    private static string Without(JsonObject claims, params string[] names)
    {
        var copy = JsonNode.Parse(claims.ToJsonString())!.AsObject();
        foreach (var n in names)
        {
            copy.Remove(n);
        }
        return copy.ToJsonString();
    }
}
