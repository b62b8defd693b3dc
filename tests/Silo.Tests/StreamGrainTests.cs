using Events.Silo.Live;
using Events.Silo.Streams;

namespace Events.Silo.Tests;

/// <summary>A session's stream grain on the two-silo test cluster over the real SQLite store.</summary>
public sealed class StreamGrainTests
{
    private static IStreamGrain Stream(LiveCluster t, string session, int node = 0) => t.Node(node).GetGrain<IStreamGrain>(session);

    [Fact]
    public async Task Only_organizers_get_the_key_only_the_current_key_is_admitted_and_one_push_is_one_broadcast_on_any_node()
    {
        await using var t = await LiveCluster.StartAsync();
        Assert.Equal("forbidden", (await Stream(t, "s1").GetKeyAsync(LiveCluster.Moderator)).Error?.Code);
        Assert.Equal("wrong_stream_key", (await Stream(t, "s1").AdmitAsync("", mayStart: true)).Error?.Code);
        var key = (await Stream(t, "s1").GetKeyAsync(LiveCluster.Organizer)).Value!.Key;
        Assert.Equal(32, key.Length);
        Assert.Equal(key, (await Stream(t, "s1", 1).GetKeyAsync(LiveCluster.Organizer)).Value!.Key);
        Assert.Equal("wrong_stream_key", (await Stream(t, "s1").AdmitAsync(key[..^1] + (key[^1] == 'a' ? 'b' : 'a'), mayStart: true)).Error?.Code);

        var first = (await Stream(t, "s1", 0).AdmitAsync(key, mayStart: true)).Value!;
        var again = (await Stream(t, "s1", 1).AdmitAsync(key, mayStart: true)).Value!;
        Assert.Equal(first, again);
        Assert.Equal($"live/s1/{first.BroadcastId}", first.Folder);

        var fresh = (await Stream(t, "s1").RegenerateKeyAsync(LiveCluster.Organizer)).Value!.Key;
        Assert.NotEqual(key, fresh);
        Assert.Equal("wrong_stream_key", (await Stream(t, "s1").AdmitAsync(key, mayStart: true)).Error?.Code);
        Assert.Equal(first.BroadcastId, (await Stream(t, "s1").AdmitAsync(fresh, mayStart: true)).Value!.BroadcastId);
        // Another session's key is its own.
        Assert.Equal("wrong_stream_key", (await Stream(t, "s2").AdmitAsync(fresh, mayStart: true)).Error?.Code);
    }

    [Fact]
    public async Task A_playlist_told_before_its_first_segments_own_call_starts_the_broadcast_and_counts()
    {
        // A fast push to a cold grain: the origin publishes the playlist naming the first segment
        // before that segment's request has told the grain; the playlist must not be dropped.
        await using var t = await LiveCluster.StartAsync();
        var stream = Stream(t, "s1");
        var key = (await stream.GetKeyAsync(LiveCluster.Organizer)).Value!.Key;
        var ticket = (await stream.AdmitAsync(key, mayStart: true)).Value!;
        await stream.PlaylistPublishedAsync(ticket.BroadcastId, "index.m3u8", 2.0, ended: false);
        await stream.PlaylistPublishedAsync(ticket.BroadcastId, "index.m3u8", 4.0, ended: true);
        // The segments' own calls come last, after the end: they start nothing.
        await stream.SegmentStoredAsync(ticket.BroadcastId, 250_000);
        var broadcast = Assert.Single(await t.Store.GetBroadcastsAsync("s1"));
        Assert.Equal((ticket.BroadcastId, "index.m3u8", 4.0), (broadcast.BroadcastId, broadcast.Playlist, broadcast.Seconds));
        Assert.NotNull(broadcast.EndedAt);
        // A playlist of an unknown broadcast still starts nothing.
        await stream.PlaylistPublishedAsync("b1", "index.m3u8", 2.0, ended: false);
        Assert.Single(await t.Store.GetBroadcastsAsync("s1"));
    }

    [Fact]
    public async Task The_session_follows_its_stream_and_a_broadcast_survives_its_grains_leaving_memory()
    {
        await using var t = await LiveCluster.StartAsync();
        var session = t.Session("s1");
        var relay = t.Relay();
        await using var beat = await relay.KeepReportingAsync(session, 1, TimeSpan.FromMilliseconds(200));
        var stream = Stream(t, "s1");
        var key = (await stream.GetKeyAsync(LiveCluster.Organizer)).Value!.Key;
        var round = (await session.OpenRoundAsync(LiveCluster.Organizer, "Best demo?", ["A", "B"], true, false, "r1")).Value!;
        var ticket = (await stream.AdmitAsync(key, mayStart: true)).Value!;

        await stream.SegmentStoredAsync(ticket.BroadcastId, 250_000);
        await stream.PlaylistPublishedAsync(ticket.BroadcastId, "index.m3u8", 2.0, ended: false);
        var live = await relay.WaitForAsync(u => u.Stream?.State == "live", "the stream to go live");
        Assert.Equal($"/hls/s1/{ticket.BroadcastId}/index.m3u8", live.Stream!.Playlist);
        Assert.Equal(1000, live.Stream.BitrateKbps);
        await relay.WaitForAsync(u => u.Settings?.Status == "live", "the session to go live with its stream");

        // Both grains leave memory mid-push (idle, or their node going): the push carries on in the same broadcast.
        await t.Cluster.DeactivateAsync(stream);
        await t.Cluster.DeactivateAsync(session);
        Assert.Equal("interrupted", (await session.PeekAsync(Caller.Anonymous)).Stream.State);
        Assert.Equal(ticket, (await stream.AdmitAsync(key, mayStart: true)).Value);
        await stream.SegmentStoredAsync(ticket.BroadcastId, 250_000);
        await stream.PlaylistPublishedAsync(ticket.BroadcastId, "index.m3u8", 4.0, ended: true);
        await relay.WaitForAsync(u => u.Stream?.State == "ended", "the end to reach viewers");
        var ended = await session.PeekAsync(Caller.Anonymous);
        Assert.Equal(new StreamView("ended", $"/hls/s1/{ticket.BroadcastId}/index.m3u8", 4.0, 0, null), ended.Stream with { BitrateKbps = 0, LastSegmentAt = null });
        Assert.Equal("ended", ended.Settings.Status);
        // Ending with the stream closes the rounds, as an organizer's end does.
        Assert.Equal("closed", ended.Rounds.Single(r => r.RoundId == round.RoundId).Status);

        // A late copy of the ended playlist starts nothing; the next push's first segment starts a new broadcast.
        Assert.Equal("not_streaming", (await stream.AdmitAsync(key, mayStart: false)).Error?.Code);
        Assert.Single(await t.Store.GetBroadcastsAsync("s1"));
        var next = (await stream.AdmitAsync(key, mayStart: true)).Value!;
        Assert.NotEqual(ticket.BroadcastId, next.BroadcastId);
        // It starts with its first stored segment, not before (a refused file starts nothing).
        Assert.Single(await t.Store.GetBroadcastsAsync("s1"));
        await stream.SegmentStoredAsync(next.BroadcastId, 1000);
        var broadcasts = await t.Store.GetBroadcastsAsync("s1");
        Assert.Equal([ticket.BroadcastId, next.BroadcastId], broadcasts.Select(b => b.BroadcastId));
        Assert.NotNull(broadcasts[0].EndedAt);
        Assert.Equal(4.0, broadcasts[0].Seconds);
        Assert.Null(broadcasts[1].EndedAt);
    }
}
