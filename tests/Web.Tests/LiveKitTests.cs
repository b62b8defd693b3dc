using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Events.Silo.Streams;
using Events.Streaming.LiveKit;
using Events.Streaming.Tests;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>
/// A session on a LiveKit stage, end to end: the platform talks to a LiveKit stand-in on loopback
/// (its API checked against the official SDK in Streaming.Tests) and takes webhooks signed as
/// LiveKit signs them. The stage goes live with its first track, is recorded, and its recording
/// (written by real ffmpeg where the egress would write it) becomes the replay; webhooks count
/// once, in any order; the reconciliation repairs lost ones; Chromium's livekit-client connects
/// with a viewer's token. About 30 s here.
/// </summary>
public sealed class LiveKitTests
{
    private const string Session = "forum-2026-12-open-source";
    private const string Room = "session-" + Session;
    private const string Key = "APIevents";
    private const string Secret = "a-livekit-secret-of-thirty-two-chars";

    private static async Task<(LiveHost Host, FakeLiveKit LiveKit)> StartAsync(string reconcileEvery = "01:00:00")
    {
        var liveKit = new FakeLiveKit(Key, Secret);
        var host = await LiveHost.StartAsync(new Dictionary<string, string?>
        {
            ["Streaming:LiveKit:Url"] = liveKit.Url,
            ["Streaming:LiveKit:ApiKey"] = Key,
            ["Streaming:LiveKit:ApiSecret"] = Secret,
            ["Streaming:LiveKit:ReconcileEvery"] = reconcileEvery,
            ["Streaming:LiveKit:Egress:AccountName"] = "acct",
            ["Streaming:LiveKit:Egress:AccountKey"] = "a2V5",
            ["Streaming:LiveKit:Egress:Container"] = "events",
        });
        return (host, liveKit);
    }

    private static async Task<(LiveClient Organizer, LiveKitStageView Stage)> OpenStageAsync(LiveHost host)
    {
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var client = await LiveClient.JoinAsync(host, Session, organizer.Token);
        var opened = await client.InvokeAsync<LiveKitStageView>("OpenStage", Session);
        Assert.True(opened.Ok, opened.Error?.Message);
        return (client, opened.Value!);
    }

    /// <summary>A platform with an open stage that went live with <paramref name="start"/>, and the broadcast its recording writes to.</summary>
    private static async Task<LiveStage> LiveStageAsync(string start = "track_published", string reconcileEvery = "01:00:00")
    {
        var (host, liveKit) = await StartAsync(reconcileEvery);
        var (organizer, _) = await OpenStageAsync(host);
        await SendAsync(host, Event(start, DateTimeOffset.UtcNow));
        await Eventually.TrueAsync(() => organizer.Stream.State == "live", "the stage to be live", 10_000);
        var egressId = Assert.Single(liveKit.EgressIds);
        return new LiveStage(host, liveKit, organizer, egressId, RecordedBroadcast(liveKit, egressId));
    }

    private sealed record LiveStage(LiveHost Host, FakeLiveKit LiveKit, LiveClient Organizer, string EgressId, string BroadcastId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Organizer.DisposeAsync();
            await Host.DisposeAsync();
            await LiveKit.DisposeAsync();
        }
    }

    private static int sequence;

    /// <summary>An event as LiveKit sends it: protojson (camelCase, int64 as strings), signed over the exact bytes.</summary>
    private static JsonObject Event(string name, DateTimeOffset at, JsonObject? egress = null)
    {
        var e = new JsonObject
        {
            ["event"] = name,
            ["room"] = new JsonObject { ["sid"] = "RM_1", ["name"] = Room },
            ["id"] = "EV_" + Interlocked.Increment(ref sequence) + "_" + Guid.NewGuid().ToString("N")[..8],
            ["createdAt"] = at.ToUnixTimeSeconds().ToString(),
        };
        if (egress is not null)
        {
            e.Remove("room");
            e["egressInfo"] = egress;
        }
        return e;
    }

    private static JsonObject Egress(string egressId, string status, string? playlist = null, double seconds = 0)
    {
        var info = new JsonObject { ["egressId"] = egressId, ["roomName"] = Room, ["status"] = status };
        if (playlist is not null)
        {
            info["segmentResults"] = new JsonArray(new JsonObject { ["playlistName"] = playlist, ["duration"] = ((long)(seconds * 1e9)).ToString() });
        }
        return info;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(LiveHost host, JsonObject e, Func<byte[], string?>? sign = null)
    {
        var body = Encoding.UTF8.GetBytes(e.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/livekit/webhook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/webhook+json");
        var authorization = sign is null ? LiveKitWebhooks.Sign(body, Key, Secret, DateTimeOffset.UtcNow) : sign(body);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        using var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static string FolderOf(LiveHost host, string broadcastId) => Path.Combine(host.DataFolder, "blobs", "live", Session, broadcastId);

    /// <summary>The broadcast the stage's recording writes to, from the egress request the platform made.</summary>
    private static string RecordedBroadcast(FakeLiveKit liveKit, string egressId)
    {
        var prefix = liveKit.EgressRequest(egressId)["segmentOutputs"]![0]!["filenamePrefix"]!.GetValue<string>();
        Assert.Matches($"^live/{Session}/b[0-9]+/seg$", prefix);
        return prefix.Split('/')[2];
    }

    [Fact]
    public async Task A_stage_goes_live_with_its_first_track_is_recorded_and_its_recording_becomes_the_replay()
    {
        var (host, liveKit) = await StartAsync();
        await using var _lk = liveKit;
        await using var _h = host;
        var (organizer, stage) = await OpenStageAsync(host);
        await using var _o = organizer;
        Assert.Equal(Room, stage.Room);
        Assert.Equal("rtmp://127.0.0.1:1935/x", stage.IngressUrl);
        Assert.True(stage.Records);
        Assert.Contains(Room, liveKit.Rooms);
        // Opening it again gives the same stage: no second room or ingress.
        var again = await organizer.InvokeAsync<LiveKitStageView>("OpenStage", Session);
        Assert.Equal(stage, again.Value);
        Assert.Single(liveKit.Requests, r => r.Call.EndsWith("/CreateIngress"));

        // A viewer (anonymous) gets a token to watch: subscribe and data, no publishing; publishing is for organizers.
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        var watch = await viewer.InvokeAsync<LiveKitJoin>("GetLiveKitToken", Session, false);
        Assert.True(watch.Ok, watch.Error?.Message);
        Assert.Equal("ws://127.0.0.1:" + liveKit.Port, watch.Value!.Url);
        var claims = LiveKitTokens.Verify(watch.Value.Token, Key, Secret, DateTimeOffset.UtcNow, out var error);
        Assert.True(claims is not null, error);
        Assert.Equal("""{"roomJoin":true,"room":"session-forum-2026-12-open-source","canPublish":false,"canSubscribe":true,"canPublishData":true}""", claims!["video"]!.ToJsonString());
        Assert.InRange(claims["exp"]!.GetValue<long>() - claims["nbf"]!.GetValue<long>(), 60, 900);
        Assert.Equal("unauthenticated", (await viewer.InvokeAsync<LiveKitJoin>("GetLiveKitToken", Session, true)).Error!.Code);
        var member = await host.CreateAccountAsync("member");
        await using var memberClient = await LiveClient.JoinAsync(host, Session, member.Token);
        Assert.Equal("forbidden", (await memberClient.InvokeAsync<LiveKitJoin>("GetLiveKitToken", Session, true)).Error!.Code);
        var speak = await organizer.InvokeAsync<LiveKitJoin>("GetLiveKitToken", Session, true);
        Assert.True(LiveKitTokens.Verify(speak.Value!.Token, Key, Secret, DateTimeOffset.UtcNow, out _)!["video"]!["canPublish"]!.GetValue<bool>());

        // Unsigned, tampered and foreign webhooks are refused and change nothing.
        var published = Event("track_published", DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(host, published, _ => null)).Status);
        var other = published.DeepClone().AsObject();
        var (tamperedStatus, tamperedBody) = await SendAsync(host, published, _ => LiveKitWebhooks.Sign(Encoding.UTF8.GetBytes(other.ToJsonString() + " "), Key, Secret, DateTimeOffset.UtcNow));
        Assert.Equal((HttpStatusCode.Unauthorized, "bad_signature"), (tamperedStatus, tamperedBody!["title"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(host, published, b => LiveKitWebhooks.Sign(b, Key, Secret + "!", DateTimeOffset.UtcNow))).Status);
        Assert.Equal("waiting", viewer.Stream.State);

        // The first published track takes the session live on the stage, and its recording starts.
        var (status, ack) = await SendAsync(host, published);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(ack!["handled"]!.GetValue<bool>());
        await Eventually.TrueAsync(() => viewer.Stream.State == "live" && viewer.Stream.Room == Room && viewer.Settings.Status == "live", "the viewer to see the stage live", 10_000);
        var egressId = Assert.Single(liveKit.EgressIds);
        var broadcastId = RecordedBroadcast(liveKit, egressId);
        // A redelivery of the same event is acknowledged and counts nothing.
        var (_, duplicate) = await SendAsync(host, published);
        Assert.True(duplicate!["duplicate"]!.GetValue<bool>());
        Assert.Single(liveKit.EgressIds);

        // The room finishes: viewers see the end at once, the recording is stopped.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, Event("room_finished", DateTimeOffset.UtcNow))).Status);
        await Eventually.TrueAsync(() => viewer.Stream.State == "ended" && viewer.Settings.Status == "ended", "the viewer to see the end", 10_000);
        Assert.Null(viewer.Stream.Playlist);
        Assert.Contains(liveKit.Requests, r => r.Call.EndsWith("/StopEgress") && r.Body.Contains(egressId));

        // The recording is written where the egress was told to write it; its end publishes the replay.
        await Ffmpeg.WriteRecordingAsync(FolderOf(host, broadcastId), seconds: 4);
        var ended = Event("egress_ended", DateTimeOffset.UtcNow, Egress(egressId, "EGRESS_COMPLETE", $"live/{Session}/{broadcastId}/index.m3u8", 4.0));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, ended)).Status);
        await Eventually.TrueAsync(() => viewer.Stream.Playlist == $"/hls/{Session}/{broadcastId}/index.m3u8", "the replay to be published", 10_000);
        Assert.Equal(4.0, viewer.Stream.Seconds);
        var replay = await host.Http.GetStringAsync(viewer.Stream.Playlist);
        Assert.Contains("#EXT-X-ENDLIST", replay);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync($"/hls/{Session}/{broadcastId}/seg_00000.ts")).StatusCode);
        await Eventually.TrueAsync(async () => (await host.Http.GetAsync($"/hls/{Session}/{broadcastId}/thumb.jpg")).IsSuccessStatusCode, "the replay's thumbnail", 15_000);
        Assert.NotNull(await host.Http.GetFromJsonAsync<JsonObject>($"/replays/{Session}/{broadcastId}/timeline"));
    }

    [Fact]
    public async Task Events_in_any_order_end_the_broadcast_once_and_a_late_copy_of_its_start_starts_nothing()
    {
        var t0 = DateTimeOffset.UtcNow;
        await using var stage = await LiveStageAsync(start: "ingress_started");
        var (host, liveKit, organizer, egressId, broadcastId) = stage;
        await Ffmpeg.WriteRecordingAsync(FolderOf(host, broadcastId), seconds: 2);

        // The recording's end arrives before the room's: the replay is published and the session ends.
        await SendAsync(host, Event("egress_ended", t0.AddSeconds(3), Egress(egressId, "EGRESS_COMPLETE", $"live/{Session}/{broadcastId}/index.m3u8", 2.0)));
        await Eventually.TrueAsync(() => organizer.Stream is { State: "ended", Playlist: not null } && organizer.Settings.Status == "ended", "the replay", 10_000);
        var replayed = organizer.Stream;
        // Then the room's end, a late egress_updated and a late copy of the start (older than the end): nothing changes.
        await SendAsync(host, Event("room_finished", t0.AddSeconds(4)));
        await SendAsync(host, Event("egress_updated", t0.AddSeconds(2), Egress(egressId, "EGRESS_ACTIVE")));
        await SendAsync(host, Event("track_published", t0.AddSeconds(1)));
        await Task.Delay(1000);
        Assert.Equal(replayed, organizer.Stream);
        Assert.Single(liveKit.EgressIds);
        var broadcasts = await host.Store().GetBroadcastsAsync(Session);
        Assert.Equal(broadcastId, Assert.Single(broadcasts).BroadcastId);
        Assert.Empty(await host.Store().GetOpenLiveKitBroadcastsAsync(null));
    }

    [Fact]
    public async Task The_reconciliation_publishes_the_replay_when_the_rooms_and_the_recordings_webhooks_were_lost()
    {
        await using var stage = await LiveStageAsync(reconcileEvery: "00:00:01");
        var (host, liveKit, organizer, egressId, broadcastId) = stage;

        // LiveKit closes the room and finishes the recording; neither webhook arrives.
        await Ffmpeg.WriteRecordingAsync(FolderOf(host, broadcastId), seconds: 2);
        liveKit.CloseRoom(Room);
        liveKit.FinishEgress(egressId, "EGRESS_COMPLETE", $"live/{Session}/{broadcastId}/index.m3u8", 2.0);
        await Eventually.TrueAsync(() => organizer.Stream is { State: "ended", Playlist: not null }, "the reconciliation to publish the replay", 15_000);
        Assert.Equal($"/hls/{Session}/{broadcastId}/index.m3u8", organizer.Stream.Playlist);
        Assert.Contains(liveKit.Requests, r => r.Call.EndsWith("/ListEgress"));
    }

    [Fact]
    public async Task The_reconciliation_starts_a_stage_that_went_live_while_its_start_webhook_was_lost()
    {
        var (host, liveKit) = await StartAsync(reconcileEvery: "00:00:01");
        await using var _lk = liveKit;
        await using var _h = host;
        var (organizer, stage) = await OpenStageAsync(host);
        await using var _o = organizer;
        await Task.Delay(1500);
        Assert.Equal("waiting", organizer.Stream.State);
        liveKit.Publish(stage.Room);
        await Eventually.TrueAsync(() => organizer.Stream.State == "live" && organizer.Stream.Room == stage.Room, "the reconciliation to take the stage live", 15_000);
        RecordedBroadcast(liveKit, Assert.Single(liveKit.EgressIds));
    }

    [Fact]
    public async Task Without_a_livekit_server_the_stage_and_the_webhook_say_so()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var client = await LiveClient.JoinAsync(host, Session, organizer.Token);
        Assert.Equal("no_livekit", (await client.InvokeAsync<LiveKitStageView>("OpenStage", Session)).Error!.Code);
        Assert.Equal("no_livekit", (await client.InvokeAsync<LiveKitJoin>("GetLiveKitToken", Session, false)).Error!.Code);
        var page = await host.SignInWithFormAsync(organizer.Email, organizer.Password);
        Assert.DoesNotContain("livekit-stage", await page.GetStringAsync($"/sessions/{Session}"));
        using var response = await host.Http.PostAsync("/livekit/webhook", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task In_chromium_the_watch_page_joins_a_live_stage_with_livekit_client_and_a_viewers_token()
    {
        await using var stage = await LiveStageAsync();
        var (host, liveKit, _, _, _) = stage;

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _p = playwright;
        await using var _b = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true })).NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, $"/sessions/{Session}").ToString());
        await Expect(page.Locator("#state")).ToHaveTextAsync("直播中", new() { Timeout = 15_000 });
        // livekit-client was fetched and connected to the stage's server with a token that may watch and not publish.
        await Eventually.TrueAsync(() => !liveKit.RtcTokens.IsEmpty, "livekit-client to connect to the LiveKit server", 15_000);
        var claims = LiveKitTokens.Verify(liveKit.RtcTokens.First(), Key, Secret, DateTimeOffset.UtcNow, out var error);
        Assert.True(claims is not null, error);
        Assert.Equal(Room, claims!["video"]!["room"]!.GetValue<string>());
        Assert.False(claims["video"]!["canPublish"]!.GetValue<bool>());
        Assert.Equal(1, await page.EvaluateAsync<int>("() => document.querySelectorAll('script[src=\"/js/livekit-client.min.js\"]').length"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => document.querySelectorAll('script[src=\"/js/hls.min.js\"]').length"));
        // This stand-in takes no WebRTC: the viewer is told, in their language, and the page keeps trying.
        await Expect(page.Locator("#stream-note")).ToContainTextAsync("无法连接直播舞台", new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("livekit-stage-viewer-zh"), FullPage = true });
        await Eventually.TrueAsync(() => liveKit.RtcTokens.Count >= 2, "the page to try the stage again", 20_000);

        // The stage closes: the page says the replay is on its way.
        await SendAsync(host, Event("room_finished", DateTimeOffset.UtcNow));
        await Expect(page.Locator("#stream-note")).ToContainTextAsync("录像写入完成后", new() { Timeout = 15_000 });
        await Expect(page.Locator("#state")).ToHaveTextAsync("已结束", new() { Timeout = 15_000 });
    }
}
