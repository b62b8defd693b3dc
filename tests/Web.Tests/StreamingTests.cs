using System.Net;
using System.Net.Http.Json;
using Events.Silo.Live;
using Events.Silo.Streams;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Events.Web.Tests;

/// <summary>
/// Going live with nothing but the platform: real ffmpeg pushes HLS over HTTP PUT to a real
/// Kestrel, viewers on real WebSockets see the stream's state, and the finished push is the replay.
/// Each push is a few seconds of test picture; the class stays within about 40 s here.
/// </summary>
public sealed class StreamingTests
{
    private const string Session = "forum-2026-12-open-source";

    private static async Task<(LiveHost Host, Account Organizer, string Key)> StartAsync()
    {
        var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Live:StreamInterruptedAfter"] = "00:00:03" });
        var (organizer, key) = await host.OrganizerWithStreamKeyAsync(Session);
        return (host, organizer, key);
    }

    private static string IngestUrl(LiveHost host, string key, string file = "index.m3u8") => new Uri(host.BaseUrl, $"/ingest/{Session}/{key}/{file}").ToString();

    private static string BlobFolder(LiveHost host) => Path.Combine(host.DataFolder, "blobs", "live", Session);

    [Fact]
    public async Task An_ffmpeg_push_takes_the_session_live_for_its_viewers_and_its_end_publishes_the_replay()
    {
        var (host, organizer, key) = await StartAsync();
        await using var _h = host;
        var member = await host.CreateAccountAsync("chatter");
        await using var viewer = await LiveClient.JoinAsync(host, Session, member.Token);
        Assert.Equal("waiting", viewer.Stream.State);
        Assert.Null(viewer.Stream.Playlist);

        var push = Ffmpeg.StartPush(IngestUrl(host, key), seconds: 8);
        // The first playlist is published once its first segment exists: the session is live.
        await Eventually.TrueAsync(() => viewer.Stream.State == "live" && viewer.Settings.Status == "live", "the viewer to see the stream live", 15_000);
        var playlistUrl = viewer.Stream.Playlist!;
        var live = await host.Http.GetAsync(playlistUrl);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", live.Content.Headers.ContentType!.MediaType);
        Assert.True(live.Headers.CacheControl!.NoCache, "a live playlist must not be cached");
        var liveText = await live.Content.ReadAsStringAsync();
        Assert.DoesNotContain("#EXT-X-ENDLIST", liveText);
        // Every segment a published playlist names can be fetched at once.
        var firstSegment = liveText.Split('\n').First(l => l.EndsWith(".ts"));
        var segment = await host.Http.GetAsync(playlistUrl[..(playlistUrl.LastIndexOf('/') + 1)] + firstSegment);
        Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        Assert.Equal("video/mp2t", segment.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", segment.Headers.CacheControl!.Extensions.Select(e => e.Name));
        Assert.False(segment.Headers.Contains("Set-Cookie"), "media must carry no cookie, or a CDN will not keep it");
        Assert.Equal(0x47, (await segment.Content.ReadAsByteArrayAsync())[0]);

        Assert.True((await viewer.InvokeAsync<ChatAck>("SendChat", Session, "said while live", "c1")).Ok);
        // The organizer marks a chapter (twice, as a double click would: one marker); bad ones are refused.
        await using (var control = await LiveClient.JoinAsync(host, Session, organizer.Token))
        {
            var marked = await control.InvokeAsync<MarkerView>("AddMarker", Session, "  Live demo ", "m1");
            Assert.Equal("Live demo", marked.Value!.Title);
            Assert.Equal(marked.Value, (await control.InvokeAsync<MarkerView>("AddMarker", Session, "Live demo", "m1")).Value);
            Assert.Equal("invalid_argument", (await control.InvokeAsync<MarkerView>("AddMarker", Session, " ", "m2")).Error!.Code);
            Assert.Equal("invalid_argument", (await control.InvokeAsync<MarkerView>("AddMarker", Session, new string('x', 121), "m2")).Error!.Code);
            Assert.Equal("invalid_argument", (await control.InvokeAsync<MarkerView>("AddMarker", Session, "Q&A", "bad id!")).Error!.Code);
        }
        Assert.Equal("forbidden", (await viewer.InvokeAsync<MarkerView>("AddMarker", Session, "Mine", "m3")).Error!.Code);
        var (exit, errors) = await Ffmpeg.WaitAsync(push, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0 && errors.Length == 0, "ffmpeg failed: " + errors);
        // ffmpeg's last PUT is the playlist with ENDLIST: the broadcast is over and the session with it.
        await Eventually.TrueAsync(() => viewer.Stream.State == "ended" && viewer.Settings.Status == "ended",
            () => $"the viewer to see the end (stream states {string.Join(", ", viewer.StreamStates)}, status {viewer.Settings.Status}, playlist {viewer.Stream.Playlist})", 15_000);
        Assert.Equal(playlistUrl, viewer.Stream.Playlist);
        Assert.InRange(viewer.Stream.Seconds, 7.5, 8.5);
        Assert.True(viewer.Stream.BitrateKbps > 0);
        Assert.Equal(["waiting", "live", "ended"], viewer.StreamStates);

        var replay = await host.Http.GetAsync(playlistUrl);
        var replayText = await replay.Content.ReadAsStringAsync();
        Assert.Contains("#EXT-X-ENDLIST", replayText);
        Assert.Equal(4, replayText.Split('\n').Count(l => l.EndsWith(".ts")));
        Assert.Equal(TimeSpan.FromMinutes(5), replay.Headers.CacheControl!.MaxAge);

        // A page loaded later plays the replay; so does a viewer joining later.
        var page = await host.Http.GetStringAsync($"/sessions/{Session}");
        Assert.Contains($"data-src=\"{playlistUrl}\"", page);
        Assert.Contains("Replay · 0:08", page);
        // The replay's timeline: the chat said while live, at its second of the video; cacheable.
        var broadcastId = playlistUrl.Split('/')[3];
        var timelineResponse = await host.Http.GetAsync($"/replays/{Session}/{broadcastId}/timeline");
        Assert.Equal(TimeSpan.FromMinutes(1), timelineResponse.Headers.CacheControl!.MaxAge);
        var timeline = (await timelineResponse.Content.ReadFromJsonAsync<ReplayTimeline>())!;
        Assert.Equal(["start", "marker"], timeline.Chapters.Select(c => c.Kind));
        Assert.Equal("Live demo", timeline.Chapters[1].Title);
        Assert.InRange(timeline.Chapters[1].At, 2, timeline.Seconds);
        Assert.Contains("Live demo</button>", page);
        var said = Assert.Single(timeline.Chat);
        Assert.Equal("said while live", said.Text);
        Assert.InRange(said.At, 2, timeline.Seconds);
        await AssertProblemAsync(await host.Http.GetAsync($"/replays/{Session}/b1/timeline"), HttpStatusCode.NotFound, "not_found");
        // The library lists the replay, with a picture ffmpeg made from it, and finds it by words and series.
        var thumbnail = playlistUrl[..(playlistUrl.LastIndexOf('/') + 1)] + "thumb.jpg";
        await Eventually.TrueAsync(async () => (await host.Http.GetAsync(thumbnail)).IsSuccessStatusCode, "the replay's thumbnail", 15_000);
        var picture = await host.Http.GetAsync(thumbnail);
        Assert.Equal("image/jpeg", picture.Content.Headers.ContentType!.MediaType);
        Assert.Equal([0xFF, 0xD8], (await picture.Content.ReadAsByteArrayAsync())[..2]);
        await Eventually.TrueAsync(async () => (await host.Http.GetStringAsync("/replays")).Contains($"href=\"/sessions/{Session}\""), "the library to list the replay", 20_000);
        var library = await host.Http.GetStringAsync("/replays?q=open+source&series=forum");
        Assert.Contains($"href=\"/sessions/{Session}\"", library);
        Assert.Contains(thumbnail, library);
        Assert.Contains("0:08", library);
        Assert.DoesNotContain($"href=\"/sessions/{Session}\"", await host.Http.GetStringAsync("/replays?q=zzzz"));
        Assert.DoesNotContain($"href=\"/sessions/{Session}\"", await host.Http.GetStringAsync("/replays?series=contest"));
        // By tag, in either language; the cards link their tags.
        Assert.Contains($"href=\"/sessions/{Session}\"", await host.Http.GetStringAsync("/replays?tag=careers"));
        Assert.Contains($"href=\"/sessions/{Session}\"", await host.Http.GetStringAsync("/replays?tag=" + Uri.EscapeDataString("开源")));
        Assert.DoesNotContain($"href=\"/sessions/{Session}\"", await host.Http.GetStringAsync("/replays?tag=contest"));
        Assert.Contains("href=\"/replays?tag=open%20source\"", library);
        var viewsBefore = viewer.Counts;
        Assert.Equal(0, viewsBefore.ReplayViews);
        await using var later = await LiveClient.JoinAsync(host, Session);
        Assert.Equal(new StreamView("ended", playlistUrl, viewer.Stream.Seconds, 0, null), later.Stream with { BitrateKbps = 0, LastSegmentAt = null });
        // That join is a view of the replay: counted among the views, and apart from the live ones.
        await Eventually.TrueAsync(() => later.Counts.ReplayViews == 1 && later.Counts.TotalViews == viewsBefore.TotalViews + 1, () => $"one replay view (counts {later.Counts})", 10_000);
        Assert.Contains("id=\"count-replay\">1<", await host.Http.GetStringAsync($"/sessions/{Session}"));
    }

    [Fact]
    public async Task A_wrong_or_replaced_key_is_refused_and_leaves_nothing_behind()
    {
        var (host, organizer, key) = await StartAsync();
        await using var _h = host;
        var segment = await MakeSegmentAsync();

        var wrong = await host.Http.PutAsync(IngestUrl(host, "not-the-key", "index0.ts"), new ByteArrayContent(segment));
        await AssertProblemAsync(wrong, HttpStatusCode.Forbidden, "wrong_stream_key");
        Assert.False(Directory.Exists(BlobFolder(host)));

        await using var org = await LiveClient.JoinAsync(host, Session, organizer.Token);
        var fresh = await org.InvokeAsync<StreamKeyView>("RegenerateStreamKey", Session);
        Assert.True(fresh.Ok);
        Assert.NotEqual(key, fresh.Value!.Key);
        var old = await host.Http.PutAsync(IngestUrl(host, key, "index0.ts"), new ByteArrayContent(segment));
        await AssertProblemAsync(old, HttpStatusCode.Forbidden, "wrong_stream_key");
        Assert.False(Directory.Exists(BlobFolder(host)));
        var good = await host.Http.PutAsync(IngestUrl(host, fresh.Value.Key, "index0.ts"), new ByteArrayContent(segment));
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);

        // Only organizers see or change the key.
        var member = await host.CreateAccountAsync("member");
        await using var m = await LiveClient.JoinAsync(host, Session, member.Token);
        Assert.Equal("forbidden", (await m.InvokeAsync<StreamKeyView>("GetStreamKey", Session)).Error?.Code);
        Assert.Equal("forbidden", (await m.InvokeAsync<StreamKeyView>("RegenerateStreamKey", Session)).Error?.Code);
        Assert.DoesNotContain(fresh.Value.Key, await host.Http.GetStringAsync($"/sessions/{Session}"));
    }

    [Fact]
    public async Task What_is_not_a_segment_or_a_playlist_is_refused_with_a_reason_and_a_playlist_waits_for_its_segments()
    {
        var (host, _, key) = await StartAsync();
        await using var _h = host;
        await using var viewer = await LiveClient.JoinAsync(host, Session);

        await AssertProblemAsync(await host.Http.PutAsync(IngestUrl(host, key, "index0.ts"), new StringContent("<html>not video</html>")), HttpStatusCode.UnsupportedMediaType, "not_media");
        await AssertProblemAsync(await host.Http.PutAsync(IngestUrl(host, key, "notes.txt"), new StringContent("x")), HttpStatusCode.BadRequest, "invalid_file");
        await AssertProblemAsync(await host.Http.PutAsync(new Uri(host.BaseUrl, $"/ingest/no-such-session/{key}/index.m3u8"), new StringContent("#EXTM3U\n")), HttpStatusCode.NotFound, "unknown_session");
        Assert.Empty(Directory.Exists(BlobFolder(host)) ? Directory.GetFiles(BlobFolder(host), "*", SearchOption.AllDirectories) : []);

        // A playlist with no push under way (a late copy of an ended one) starts nothing.
        await AssertProblemAsync(await host.Http.PutAsync(IngestUrl(host, key), new StringContent("#EXTM3U\n#EXTINF:2.0,\nindex0.ts\n")), HttpStatusCode.Conflict, "not_streaming");
        Assert.Empty(await host.Store().GetBroadcastsAsync(Session));

        // A push starts with its first segment. A playlist that arrives before the next segment it
        // names (ffmpeg sends them on separate connections) reaches viewers only with that segment.
        var segmentBytes = await MakeSegmentAsync();
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key, "index0.ts"), new ByteArrayContent(segmentBytes))).StatusCode);
        // Once a push is under way, a playlist's content is checked.
        await AssertProblemAsync(await host.Http.PutAsync(IngestUrl(host, key, "index.m3u8"), new StringContent("hello")), HttpStatusCode.UnprocessableEntity, "invalid_playlist");
        await AssertProblemAsync(await host.Http.PutAsync(IngestUrl(host, key, "index.m3u8"), new StringContent("#EXTM3U\n#EXTINF:2.0,\n../../secret.ts\n")), HttpStatusCode.UnprocessableEntity, "invalid_playlist");
        var playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.000000,\nindex0.ts\n#EXTINF:2.000000,\nindex1.ts\n";
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key), new StringContent(playlist))).StatusCode);
        await Task.Delay(300);
        Assert.Equal("waiting", viewer.Stream.State);
        Assert.Empty(Directory.GetFiles(BlobFolder(host), "*.m3u8", SearchOption.AllDirectories));
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key, "index1.ts"), new ByteArrayContent(segmentBytes))).StatusCode);
        await Eventually.TrueAsync(() => viewer.Stream.State == "live", "the held playlist to go out with its segment");
        Assert.Equal(playlist, await host.Http.GetStringAsync(viewer.Stream.Playlist));

        // No segment for Live:StreamInterruptedAfter (3 s here): viewers are told the stream is interrupted.
        await Eventually.TrueAsync(() => viewer.Stream.State == "interrupted", "the viewer to see the interruption", 10_000);
        Assert.Equal("live", viewer.Settings.Status);

        // Viewers' paths are checked too.
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/hls/{Session}/b1/missing.ts")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.GetAsync($"/hls/{Session}/b1/..%2F..%2Flive.db")).StatusCode);
    }

    [Fact]
    public async Task On_azure_blob_storage_a_push_is_stored_in_the_container_and_viewers_read_it_with_ranges()
    {
        var azurite = new Streaming.Tests.AzuriteServer();
        await azurite.InitializeAsync();
        try
        {
            var (host, container) = await OnAzuriteAsync(azurite);
            await using var _h = host;
            var (organizer, key) = await host.OrganizerWithStreamKeyAsync(Session);
            await using var org = await LiveClient.JoinAsync(host, Session, organizer.Token);
            var segment = await MakeSegmentAsync();
            Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key, "index0.ts"), new ByteArrayContent(segment))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key), new StringContent("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nindex0.ts\n#EXT-X-ENDLIST\n"))).StatusCode);
            await Eventually.TrueAsync(() => org.Stream.State == "ended", "the push to end");

            // The files are in the container, not in the data folder.
            var blobs = new Streaming.Blobs.AzureBlobStore(azurite.ConnectionString, container);
            var stored = await blobs.ListAsync("live/");
            Assert.Equal(2, stored.Count);
            Assert.False(Directory.Exists(BlobFolder(host)));
            var folder = org.Stream.Playlist![..(org.Stream.Playlist!.LastIndexOf('/') + 1)];
            var range = new HttpRequestMessage(HttpMethod.Get, folder + "index0.ts");
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(188, 188 * 3 - 1);
            var part = await host.Http.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal(segment.AsSpan(188, 376).ToArray(), await part.Content.ReadAsByteArrayAsync());
            Assert.EndsWith("#EXT-X-ENDLIST\n", await host.Http.GetStringAsync(org.Stream.Playlist));
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_push_that_stops_without_ending_its_playlist_is_ended_by_the_platform_and_becomes_the_replay()
    {
        // ffmpeg closes its connection right after its last request, and a reset can lose it: the
        // playlist's end never arrives. After Streaming:EndIdlePushAfter without a file, the platform ends it.
        var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Streaming:EndIdlePushAfter"] = "00:00:02", ["Live:StreamInterruptedAfter"] = "00:00:01" });
        await using var _h = host;
        var (_, key) = await host.OrganizerWithStreamKeyAsync(Session);
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        var segment = await MakeSegmentAsync();
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key, "index0.ts"), new ByteArrayContent(segment))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key), new StringContent("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nindex0.ts\n"))).StatusCode);
        await Eventually.TrueAsync(() => viewer.Stream.State is "live" or "interrupted", "the push to be live", 10_000);
        await Eventually.TrueAsync(() => viewer.Stream.State == "ended" && viewer.Settings.Status == "ended", () => $"the platform to end it (states {string.Join(", ", viewer.StreamStates)})", 15_000);
        Assert.Contains("#EXT-X-ENDLIST", await host.Http.GetStringAsync(viewer.Stream.Playlist));
        Assert.Equal(2.0, viewer.Stream.Seconds);
        Assert.NotNull(Assert.Single(await host.Store().GetReplaysAsync(10)).EndedAt);
    }

    [Fact]
    public async Task An_organizer_trims_a_replay_to_its_segments_and_hides_it_from_everyone_else()
    {
        var (host, organizer, key) = await StartAsync();
        await using var _h = host;
        await using var org = await LiveClient.JoinAsync(host, Session, organizer.Token);
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        // In real time: a push made as fast as ffmpeg can can lose its last request when ffmpeg closes
        // the connection (a reset), and would end only after Streaming:EndIdlePushAfter.
        var (exit, errors) = await Ffmpeg.WaitAsync(Ffmpeg.StartPush(IngestUrl(host, key), seconds: 8), TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, errors);
        await Eventually.TrueAsync(() => viewer.Stream is { State: "ended", Playlist: not null }, "the replay", 15_000);
        var original = viewer.Stream.Playlist!;
        var listed = await org.InvokeAsync<IReadOnlyList<ReplayAdminView>>("ListReplays", Session);
        var replay = Assert.Single(listed.Value!);
        Assert.Equal((original, 8.0, 8.0, false), (replay.Playlist, replay.Seconds, replay.OriginalSeconds, replay.Hidden));

        // Bad edits are refused and change nothing.
        var b = replay.BroadcastId;
        Assert.Equal("invalid_argument", (await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(3, 2, false))).Error!.Code);
        Assert.Equal("invalid_argument", (await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(-1, null, false))).Error!.Code);
        Assert.Equal("invalid_argument", (await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(100, null, false))).Error!.Code);
        Assert.Equal("unknown_replay", (await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, "b1", new EditReplayRequest(0, null, true))).Error!.Code);
        Assert.Equal("unknown_replay", (await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, "../b1", new EditReplayRequest(0, null, true))).Error!.Code);
        Assert.Equal("unauthenticated", (await viewer.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(0, null, true))).Error!.Code);
        var member = await host.CreateAccountAsync("member");
        await using (var m = await LiveClient.JoinAsync(host, Session, member.Token))
        {
            Assert.Equal("forbidden", (await m.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(0, null, true))).Error!.Code);
            Assert.Equal("forbidden", (await m.InvokeAsync<IReadOnlyList<ReplayAdminView>>("ListReplays", Session)).Error!.Code);
        }
        Assert.Equal(original, viewer.Stream.Playlist);

        // Trimmed to 3–6.5 s: the segments 2–8 s are kept, in a new playlist; viewers get it with the next update.
        var trimmed = await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(3, 6.5, false));
        Assert.True(trimmed.Ok, trimmed.Error?.Message);
        Assert.Equal((6.0, 3.0, 6.5, 8.0), (trimmed.Value!.Seconds, trimmed.Value.TrimStart, trimmed.Value.TrimEnd!.Value, trimmed.Value.OriginalSeconds));
        Assert.NotEqual(original, trimmed.Value.Playlist);
        await Eventually.TrueAsync(() => viewer.Stream.Playlist == trimmed.Value.Playlist && viewer.Stream.Seconds == 6.0, "the viewer to get the trimmed replay", 10_000);
        var cut = await host.Http.GetStringAsync(trimmed.Value.Playlist);
        Assert.Equal(["index1.ts", "index2.ts", "index3.ts"], cut.Split('\n').Where(l => l.EndsWith(".ts")));
        Assert.Contains("#EXT-X-ENDLIST", cut);
        var timeline = await host.Http.GetFromJsonAsync<ReplayTimeline>($"/replays/{Session}/{b}/timeline");
        Assert.Equal(6.0, timeline!.Seconds);
        Assert.Contains("Replay · 0:06", await host.Http.GetStringAsync($"/sessions/{Session}"));

        // Hidden: gone from the page, the library, the timeline and the files, for everyone; shown again, back.
        var hidden = await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(3, 6.5, true));
        Assert.True(hidden.Value!.Hidden);
        await Eventually.TrueAsync(() => viewer.Stream is { State: "ended", Playlist: null }, "the viewer to lose the replay", 10_000);
        await AssertProblemAsync(await host.Http.GetAsync(trimmed.Value.Playlist), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/replays/{Session}/{b}/timeline")).StatusCode);
        Assert.DoesNotContain($"href=\"/sessions/{Session}\"", await host.Http.GetStringAsync("/replays"));
        var page = await host.Http.GetStringAsync($"/sessions/{Session}");
        Assert.Contains("It has no replay.", page);
        Assert.DoesNotContain(trimmed.Value.Playlist, page);
        Assert.True((await org.InvokeAsync<ReplayAdminView>("EditReplay", Session, b, new EditReplayRequest(0, null, false))).Ok);
        await Eventually.TrueAsync(() => viewer.Stream.Playlist == original && viewer.Stream.Seconds == 8.0, "the whole replay back", 10_000);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync(original)).StatusCode);
    }

    [Fact]
    public async Task With_direct_reads_browsers_fetch_segments_from_the_storage_account_through_expiring_links()
    {
        var azurite = new Streaming.Tests.AzuriteServer();
        await azurite.InitializeAsync();
        try
        {
            var (host, container) = await OnAzuriteAsync(azurite, ("Streaming:Blobs:Azure:DirectReads", "true"), ("Streaming:Blobs:Azure:CorsOrigins:0", "http://watch.example"));
            await using var _h = host;
            var (_, key) = await host.OrganizerWithStreamKeyAsync(Session);
            await using var viewer = await LiveClient.JoinAsync(host, Session);
            var segment = await MakeSegmentAsync();
            Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key, "index0.ts"), new ByteArrayContent(segment))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await host.Http.PutAsync(IngestUrl(host, key), new StringContent("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nindex0.ts\n#EXT-X-ENDLIST\n"))).StatusCode);
            await Eventually.TrueAsync(() => viewer.Stream is { State: "ended", Playlist: not null }, "the replay");
            var folder = viewer.Stream.Playlist![..(viewer.Stream.Playlist!.LastIndexOf('/') + 1)];

            // The playlist comes from the platform; the segment is a redirect to a signed, expiring link into the container.
            using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };
            var playlist = await noRedirects.GetAsync(viewer.Stream.Playlist);
            Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
            var redirect = await noRedirects.GetAsync(folder + "index0.ts");
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.True(redirect.Headers.CacheControl!.NoStore);
            var link = redirect.Headers.Location!;
            Assert.StartsWith(azurite.BlobEndpoint + "/" + container + "/live/", link.ToString());
            var query = System.Web.HttpUtility.ParseQueryString(link.Query);
            Assert.Equal("r", query["sp"]);
            Assert.InRange(DateTimeOffset.Parse(query["se"]!), DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(11));
            using var direct = new HttpClient();
            Assert.Equal(segment, await direct.GetByteArrayAsync(link));
            // Without its signature the blob is not readable; with a range, only the part.
            Assert.Equal(HttpStatusCode.Forbidden, (await direct.GetAsync(link.GetLeftPart(UriPartial.Path))).StatusCode);
            using var range = new HttpRequestMessage(HttpMethod.Get, link);
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 187);
            var part = await direct.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            // The account lets the site's pages read across origins (the rule is set at start).
            await Eventually.TrueAsync(async () =>
            {
                using var preflight = new HttpRequestMessage(HttpMethod.Options, link);
                preflight.Headers.Add("Origin", "http://watch.example");
                preflight.Headers.Add("Access-Control-Request-Method", "GET");
                var answer = await direct.SendAsync(preflight);
                return answer.IsSuccessStatusCode && answer.Headers.TryGetValues("Access-Control-Allow-Origin", out var allowed) && allowed.Contains("http://watch.example");
            }, "the storage account's CORS rule", 10_000);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>The platform on Azurite, in a container of its own.</summary>
    private static async Task<(LiveHost Host, string Container)> OnAzuriteAsync(Streaming.Tests.AzuriteServer azurite, params (string Key, string Value)[] extra)
    {
        var container = "t" + Guid.NewGuid().ToString("N")[..20];
        var settings = new Dictionary<string, string?>
        {
            ["Streaming:Blobs:Provider"] = "azure",
            ["Streaming:Blobs:Azure:ConnectionString"] = azurite.ConnectionString,
            ["Streaming:Blobs:Azure:Container"] = container,
        };
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }
        return (await LiveHost.StartAsync(settings), container);
    }

    /// <summary>One real 2-second MPEG-TS segment, made by ffmpeg into a temporary folder.</summary>
    private static async Task<byte[]> MakeSegmentAsync()
    {
        var folder = Directory.CreateTempSubdirectory("seg-").FullName;
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo(Ffmpeg.Path) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", Path.Combine(folder, "s.ts") })
            {
                info.ArgumentList.Add(a);
            }
            using var p = System.Diagnostics.Process.Start(info)!;
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
            return await File.ReadAllBytesAsync(Path.Combine(folder, "s.ts"));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    /// <summary>A ProblemDetails answer with this status, code (its title) and a reason.</summary>
    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(code, problem!.Title);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
    }
}
