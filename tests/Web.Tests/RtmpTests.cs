using System.Net;
using Events.Streaming.Rtmp;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>
/// OBS's way in: real ffmpeg publishes over RTMP to the nginx the platform starts (Debian's, with
/// its RTMP module), which asks the platform about the key before it takes anything. About 30 s here.
/// </summary>
public sealed class RtmpTests
{
    private const string Session = "forum-2026-12-open-source";

    private static async Task<(LiveHost Host, int Port, string Key)> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var port = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Streaming:Rtmp:Enabled"] = "true",
            ["Streaming:Rtmp:Port"] = port.ToString(),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }
        var host = await LiveHost.StartAsync(settings);
        var rtmp = host.Services.GetRequiredService<RtmpIngest>();
        Assert.Null(rtmp.Problem);
        await rtmp.Ready.WaitAsync(TimeSpan.FromSeconds(20));
        var (_, key) = await host.OrganizerWithStreamKeyAsync(Session);
        return (host, port, key);
    }

    [Fact]
    public async Task With_a_rendition_ladder_an_obs_stream_becomes_a_multivariant_playlist_of_each_rendition()
    {
        var (host, port, key) = await StartAsync(new Dictionary<string, string?>
        {
            ["Streaming:Rtmp:Ladder:0:Height"] = "180",
            ["Streaming:Rtmp:Ladder:0:VideoKbps"] = "400",
            ["Streaming:Rtmp:Ladder:1:Height"] = "90",
            ["Streaming:Rtmp:Ladder:1:VideoKbps"] = "150",
            ["Streaming:Rtmp:Ladder:1:AudioKbps"] = "64",
        });
        await using var _h = host;
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        var push = Ffmpeg.StartRtmpPush($"rtmp://127.0.0.1:{port}/live/{Session}.{key}", seconds: 10);
        // Live with the first rendition's playlist, then the multivariant one once ffmpeg wrote it (after each rendition's first segment).
        await Eventually.TrueAsync(() => viewer.Stream.State == "live" && viewer.Stream.Playlist!.EndsWith("/master.m3u8"), () => $"the ladder to go live ({viewer.Stream.State} {viewer.Stream.Playlist})", 25_000);
        var (exit, errors) = await Ffmpeg.WaitAsync(push, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0, "ffmpeg failed: " + errors);
        await Eventually.TrueAsync(() => viewer.Stream.State == "ended", () => $"the ladder to end (states {string.Join(", ", viewer.StreamStates)})", 25_000);
        var folder = viewer.Stream.Playlist![..(viewer.Stream.Playlist!.LastIndexOf('/') + 1)];
        var master = await host.Http.GetStringAsync(viewer.Stream.Playlist);
        Assert.Contains("#EXT-X-STREAM-INF", master);
        Assert.Equal(["v0.m3u8", "v1.m3u8"], master.Split('\n').Where(l => l.EndsWith(".m3u8")));
        Assert.Contains("x180", master);
        Assert.Contains("x90", master);
        foreach (var rendition in new[] { "v0", "v1" })
        {
            var media = await host.Http.GetStringAsync(folder + rendition + ".m3u8");
            Assert.EndsWith("#EXT-X-ENDLIST\n", media);
            var segment = media.Split('\n').First(l => l.EndsWith(".ts"));
            Assert.StartsWith(rendition + "_", segment);
            Assert.Equal(0x47, (await host.Http.GetByteArrayAsync(folder + segment))[0]);
        }
        Assert.InRange(viewer.Stream.Seconds, 4, 10.5);
    }

    [Fact]
    public async Task A_publisher_with_the_key_goes_live_and_its_end_is_the_replay_while_a_second_on_the_same_key_and_a_wrong_key_are_refused()
    {
        var (host, port, key) = await StartAsync();
        await using var _h = host;
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        var url = $"rtmp://127.0.0.1:{port}/live/{Session}.{key}";

        var wrong = Ffmpeg.StartRtmpPush($"rtmp://127.0.0.1:{port}/live/{Session}.not-the-key", seconds: 4);
        var (wrongExit, _) = await Ffmpeg.WaitAsync(wrong, TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, wrongExit);
        Assert.Empty(await host.Store().GetBroadcastsAsync(Session));

        var push = Ffmpeg.StartRtmpPush(url, seconds: 10);
        await Eventually.TrueAsync(() => viewer.Stream.State == "live" && viewer.Settings.Status == "live", "the RTMP push to go live", 20_000);
        // A second encoder on the same key while the first is live is turned away; the first carries on.
        var second = Ffmpeg.StartRtmpPush(url, seconds: 4);
        var (secondExit, _) = await Ffmpeg.WaitAsync(second, TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, secondExit);

        var (exit, errors) = await Ffmpeg.WaitAsync(push, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0, "ffmpeg failed: " + errors);
        await Eventually.TrueAsync(() => viewer.Stream.State == "ended" && viewer.Settings.Status == "ended",
            () => $"the RTMP push's end to reach the viewer (states {string.Join(", ", viewer.StreamStates)})", 20_000);
        var replay = await host.Http.GetStringAsync(viewer.Stream.Playlist);
        Assert.EndsWith("#EXT-X-ENDLIST\n", replay);
        // The push copied without re-encoding, in 2-second segments, from the first keyframe after the
        // copy joined (nginx keeps no earlier picture; on a busy machine ffmpeg takes a few seconds to
        // start): 10 s less the start, to the end.
        Assert.InRange(viewer.Stream.Seconds, 4, 10.5);
        var segment = replay.Split('\n').First(l => l.EndsWith(".ts"));
        var media = await host.Http.GetAsync(viewer.Stream.Playlist![..(viewer.Stream.Playlist!.LastIndexOf('/') + 1)] + segment);
        Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        Assert.Single(await host.Store().GetBroadcastsAsync(Session));
    }

    [Fact]
    public async Task The_publish_check_refuses_a_wrong_key_or_application_and_the_control_room_shows_obs_its_settings()
    {
        var (host, port, key) = await StartAsync();
        await using var _h = host;
        // nginx's callback (this test, like nginx, calls from loopback; a caller from elsewhere gets 403 before any check).
        var refused = await host.Http.PostAsync("/ingest/rtmp/publish", new FormUrlEncodedContent(new Dictionary<string, string> { ["call"] = "publish", ["app"] = "live", ["name"] = Session + ".wrong" }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var otherApp = await host.Http.PostAsync("/ingest/rtmp/publish", new FormUrlEncodedContent(new Dictionary<string, string> { ["call"] = "publish", ["app"] = "other", ["name"] = Session + "." + key }));
        Assert.Equal(HttpStatusCode.Forbidden, otherApp.StatusCode);

        var organizer = await host.CreateAccountAsync("org2", Roles.Organizer);
        var page = await (await host.SignInWithFormAsync(organizer.Email, organizer.Password)).GetStringAsync($"/sessions/{Session}");
        Assert.Contains($"value=\"rtmp://127.0.0.1:{port}/live\"", page);
        Assert.Contains($"value=\"{Session}.{key}\"", page);
    }
}
