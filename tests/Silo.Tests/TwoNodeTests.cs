using Events.Silo.Live;

namespace Events.Silo.Tests;

/// <summary>
/// Two nodes: the two silos of one cluster over one SQLite file, each calling grains through its
/// own grain factory and receiving updates through its own relay. What one node's viewers see
/// must include the other node's.
/// </summary>
public sealed class TwoNodeTests : IAsyncLifetime
{
    private LiveCluster t = null!;

    private static LiveOptions Options() => new()
    {
        PresenceFlush = TimeSpan.FromMilliseconds(50),
        PresenceHeartbeat = TimeSpan.FromMilliseconds(200),
        MaxTick = TimeSpan.FromMilliseconds(200),
        PresenceExpiry = TimeSpan.FromSeconds(2),
    };

    public async Task InitializeAsync() => t = await LiveCluster.StartAsync(options: Options());

    public async Task DisposeAsync() => await t.DisposeAndDeleteAsync();

    private static long? TotalOf(SessionUpdate update, string roundId) => update.Rounds?.SingleOrDefault(r => r.RoundId == roundId)?.TotalVotes;

    [Fact]
    public async Task Viewers_on_both_nodes_see_the_sum_and_a_node_that_stops_reporting_drops_out()
    {
        var onA = t.Session("s1", 0);
        var onB = t.Session("s1", 1);
        var relayA = t.Relay(0);
        var relayB = t.Relay(1);
        for (var i = 1; i <= 3; i++)
        {
            await onA.JoinAsync(relayA.Report(i), "a:" + i, false, Caller.Anonymous);
        }
        for (var i = 1; i <= 2; i++)
        {
            await onB.JoinAsync(relayB.Report(i), "b:" + i, false, Caller.Anonymous);
        }
        // Both nodes keep reporting, as their relays do on a heartbeat.
        var beatA = await relayA.KeepReportingAsync(onA, 3, TimeSpan.FromMilliseconds(200));
        var beatB = await relayB.KeepReportingAsync(onB, 2, TimeSpan.FromMilliseconds(200));

        static bool Settled(CountsView? c) => c is { Current: 5, Unique: 5, TotalViews: 5 };
        await relayA.WaitUntilAsync(_ => Settled(relayA.LastCounts), "A to see both nodes' viewers");
        await relayB.WaitUntilAsync(_ => Settled(relayB.LastCounts), "B to see both nodes' viewers");
        Assert.Equal(relayA.LastCounts, relayB.LastCounts);

        // Node B goes quiet (killed): after the expiry its viewers leave the sum, and it gets no more updates.
        await beatB.DisposeAsync();
        var dropped = await relayA.WaitForAsync(u => u.Counts?.Current == 3, "B's viewers to leave the sum");
        Assert.Equal(5, dropped.Counts!.Peak);
        Assert.Equal(5, dropped.Counts.Unique);
        var silentAt = relayB.Count;
        var last = (await onA.PostChatAsync(LiveCluster.Member("m"), "after B left", "after")).Value!.MessageId;
        await relayA.WaitForAsync(u => u.Chat?.Any(m => m.Id == last) == true, "A to get the message");
        Assert.DoesNotContain(relayB.Updates, u => u.Counts?.Current == 3 || u.Chat?.Any(m => m.Id == last) == true);
        Assert.Equal(silentAt, relayB.Count);
        await beatA.DisposeAsync();
    }

    [Fact]
    public async Task Moderation_on_one_node_binds_members_on_the_other_at_once()
    {
        var onA = t.Session("s1", 0);
        var onB = t.Session("s1", 1);
        var relayB = t.Relay(1);
        await using var beat = await relayB.KeepReportingAsync(onB, 1, TimeSpan.FromMilliseconds(200));
        var member = LiveCluster.Member("m1");
        Assert.True((await onB.PostChatAsync(member, "before", "c1")).IsOk);

        Assert.True((await onA.SetSlowModeAsync(LiveCluster.Moderator, 60)).IsOk);
        Assert.Equal("slow_mode", (await onB.PostChatAsync(member, "too soon", "c2")).Error?.Code);
        await relayB.WaitForAsync(u => u.Settings?.SlowModeSeconds == 60, "B's viewers to see slow mode");

        Assert.True((await onA.BanAsync(LiveCluster.Moderator, "m2", LiveRoles.Member, true)).IsOk);
        Assert.Equal("banned", (await onB.PostChatAsync(LiveCluster.Member("m2"), "banned?", "c3")).Error?.Code);
        Assert.True((await onB.PeekAsync(LiveCluster.Member("m2"))).You.Banned);

        // Deleting the pinned message on A unpins it for B's viewers too.
        var pinnedMessage = (await onB.PostChatAsync(LiveCluster.Member("m3"), "pin me", "p1")).Value!.MessageId;
        Assert.True((await onA.PinAsync(LiveCluster.Moderator, pinnedMessage)).IsOk);
        Assert.Equal(pinnedMessage, (await onB.PeekAsync(Caller.Anonymous)).Settings.Pinned?.Id);
        await relayB.WaitForAsync(u => u.Settings?.Pinned?.Id == pinnedMessage, "B's viewers to see the pin");
        var mark = relayB.Count;
        Assert.True((await onA.DeleteMessageAsync(LiveCluster.Moderator, pinnedMessage)).IsOk);
        var snapshot = await onB.PeekAsync(Caller.Anonymous);
        Assert.Null(snapshot.Settings.Pinned);
        Assert.DoesNotContain(snapshot.Chat, m => m.Id == pinnedMessage);
        await relayB.WaitForAsync(u => u.Deleted?.Contains(pinnedMessage) == true, "B's viewers to see the deletion", mark);
        Assert.Null(relayB.Updates.Skip(mark).Last(u => u.Settings is not null).Settings!.Pinned);

        Assert.True((await onA.ReactAsync(LiveCluster.Member("r"), "applause")).IsOk);
        await relayB.WaitForAsync(u => u.Reactions?["applause"] == 1, "B's viewers to see the reaction");
    }

    [Fact]
    public async Task Chat_from_both_nodes_reaches_the_viewers_of_both_once_and_in_the_same_order()
    {
        var onA = t.Session("s1", 0);
        var onB = t.Session("s1", 1);
        var relayA = t.Relay(0);
        var relayB = t.Relay(1);
        await using var beatA = await relayA.KeepReportingAsync(onA, 1, TimeSpan.FromMilliseconds(200));
        await using var beatB = await relayB.KeepReportingAsync(onB, 1, TimeSpan.FromMilliseconds(200));
        await relayA.WaitUntilAsync(_ => relayA.LastCounts?.Current == 2, "A to be subscribed");
        await relayB.WaitUntilAsync(_ => relayB.LastCounts?.Current == 2, "B to be subscribed");

        var sends = new List<Task<Outcome<ChatAck>>>();
        for (var i = 0; i < 200; i++)
        {
            var node = i % 2 == 0 ? onA : onB;
            var n = i;
            sends.Add(Task.Run(() => node.PostChatAsync(LiveCluster.Member("m" + n % 7), "msg " + n, "c" + n)));
        }
        var acks = await Task.WhenAll(sends);
        Assert.All(acks, x => Assert.True(x.IsOk, x.Error?.Code));
        var expected = acks.Select(x => x.Value!.MessageId).Order().ToList();

        var sentinel = await LiveSessionGrainTests.FlushWithSentinelAsync(onB, relayA, relayB);
        expected.Add(sentinel);
        Assert.Equal(expected, relayA.Chat().Select(m => m.Id));
        Assert.Equal(expected, relayB.Chat().Select(m => m.Id));
        Assert.Equal(relayA.Chat().Select(m => m.Text), relayB.Chat().Select(m => m.Text));
    }

    [Fact]
    public async Task Votes_on_both_nodes_count_once_show_on_both_and_none_count_after_the_close()
    {
        var onA = t.Session("s1", 0);
        var onB = t.Session("s1", 1);
        var relayA = t.Relay(0);
        var relayB = t.Relay(1);
        await using var beatA = await relayA.KeepReportingAsync(onA, 1, TimeSpan.FromMilliseconds(200));
        await using var beatB = await relayB.KeepReportingAsync(onB, 1, TimeSpan.FromMilliseconds(200));
        var opened = await onA.OpenRoundAsync(LiveCluster.Organizer, "Best?", ["X", "Y"], true, false, "open");
        var roundId = opened.Value!.RoundId;

        // 300 voters, each voting on both nodes with the same id (a retry after switching nodes).
        var first = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() =>
            t.Round(roundId, i % 2).CastAsync(LiveCluster.Member("v" + i), i % 3 == 0 ? "a" : "b", "id" + i))));
        var again = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() =>
            t.Round(roundId, (i + 1) % 2).CastAsync(LiveCluster.Member("v" + i), "a", "id" + i))));
        Assert.All(first.Concat(again), r => Assert.Equal("accepted", r.Value?.Status));
        Assert.Equal(first.Select(r => r.Value!.OptionId), again.Select(r => r.Value!.OptionId));
        Assert.Equal(300, (await t.Store.GetVotesAsync(roundId)).Count);

        // Both nodes' viewers see the whole tally.
        await relayA.WaitForAsync(u => TotalOf(u, roundId) == 300, "A's viewers to see 300 votes");
        await relayB.WaitForAsync(u => TotalOf(u, roundId) == 300, "B's viewers to see 300 votes");
        Assert.Equal(300, (await onB.PeekAsync(Caller.Anonymous)).Rounds.Single().TotalVotes);

        // A storm on B while A closes: whatever B acknowledged is counted, nothing after the close.
        var storm = Enumerable.Range(1000, 400).Select(i => Task.Run(() =>
            t.Round(roundId, 1).CastAsync(LiveCluster.Member("v" + i), "b", "id" + i))).ToArray();
        var closed = await t.Round(roundId, 0).CloseAsync(LiveCluster.Organizer);
        var stormResults = await Task.WhenAll(storm);
        var acknowledged = stormResults.Count(r => r.IsOk);
        Assert.All(stormResults.Where(r => !r.IsOk), r => Assert.Equal("round_closed", r.Error!.Code));
        var stored = await t.Store.GetVotesAsync(roundId);
        Assert.Equal(300 + acknowledged, stored.Count);
        Assert.True(closed.IsOk, closed.Error?.Message);
        Assert.Equal(stored.Count, closed.Value!.TotalVotes);
        Assert.All(closed.Value.Options, o => Assert.Equal(stored.Count(v => v.OptionId == o.Id), o.Votes));
        var late = await t.Round(roundId, 1).CastAsync(LiveCluster.Member("late"), "a", "late");
        Assert.Equal("round_closed", late.Error?.Code);
        Assert.Equal(stored.Count, (await t.Store.GetVotesAsync(roundId)).Count);
        await relayB.WaitForAsync(u => u.Rounds?.Any(r => r.RoundId == roundId && r.Status == "closed" && r.TotalVotes == stored.Count) == true, "B's viewers to see the closed round");
        await relayA.WaitForAsync(u => u.Rounds?.Any(r => r.RoundId == roundId && r.Status == "closed" && r.TotalVotes == stored.Count) == true, "A's viewers to see the closed round");
    }
}
