using Events.Silo.Bus;
using Events.Silo.Live;
using Events.Silo.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Events.Silo.Tests;

/// <summary>
/// Two nodes in one process: two engines with their own grains and store connections over one
/// SQLite file, joined by one bus. What one node's viewers see must include the other node's.
/// </summary>
public sealed class TwoNodeTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "events-nodes-" + Guid.NewGuid().ToString("N"));
    private readonly InProcessBus bus = new(NullLogger<InProcessBus>.Instance);
    private SqliteLiveStore storeA = null!;
    private SqliteLiveStore storeB = null!;
    private LiveEngine a = null!;
    private LiveEngine b = null!;

    private static LiveOptions Options() => new()
    {
        PresenceFlush = TimeSpan.FromMilliseconds(50),
        PresenceHeartbeat = TimeSpan.FromMilliseconds(200),
        MaxTick = TimeSpan.FromMilliseconds(200),
        PresenceExpiry = TimeSpan.FromMilliseconds(800),
    };

    public async Task InitializeAsync()
    {
        storeA = new SqliteLiveStore(Path.Combine(folder, "live.db"));
        await storeA.InitializeAsync();
        storeB = new SqliteLiveStore(Path.Combine(folder, "live.db"));
        a = new LiveEngine(storeA, bus.ForNode("a"), new AnySession(), Options(), TimeProvider.System);
        b = new LiveEngine(storeB, bus.ForNode("b"), new AnySession(), Options(), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await a.DisposeAsync();
        await b.DisposeAsync();
        await bus.DisposeAsync();
        await storeA.DisposeAsync();
        await storeB.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Runs both nodes' ticks until <paramref name="done"/> holds for the last counts each node sent.</summary>
    private static async Task<(CountsView A, CountsView B)> TickUntilAsync(LiveSessionGrain onA, LiveSessionGrain onB, Func<CountsView, bool> done)
    {
        CountsView? lastA = null, lastB = null;
        for (var i = 0; i < 300; i++)
        {
            lastA = (await onA.CollectUpdateAsync())?.Counts ?? lastA;
            lastB = (await onB.CollectUpdateAsync())?.Counts ?? lastB;
            if (lastA is not null && lastB is not null && done(lastA) && done(lastB))
            {
                return (lastA, lastB);
            }
            await Task.Delay(20);
        }
        throw new Xunit.Sdk.XunitException($"Counts did not converge: A saw {lastA}, B saw {lastB}.");
    }

    [Fact]
    public async Task Viewers_on_both_nodes_see_the_sum_and_a_node_that_stops_reporting_drops_out()
    {
        var onA = await a.Sessions.GetAsync("s1");
        var onB = await b.Sessions.GetAsync("s1");
        for (var i = 0; i < 3; i++)
        {
            await onA.JoinAsync("a" + i, "a:" + i, Caller.Anonymous);
        }
        for (var i = 0; i < 2; i++)
        {
            await onB.JoinAsync("b" + i, "b:" + i, Caller.Anonymous);
        }

        var (seenA, seenB) = await TickUntilAsync(onA, onB, c => c.Current == 5 && c.Unique == 5 && c.TotalViews == 5);
        Assert.Equal(seenA, seenB);

        // Node B goes quiet (killed): only A's tick runs now, and B's viewers leave A's sum.
        CountsView? afterB = null;
        for (var i = 0; i < 200 && afterB?.Current != 3; i++)
        {
            afterB = (await onA.CollectUpdateAsync())?.Counts ?? afterB;
            await Task.Delay(20);
        }
        Assert.Equal(3, afterB?.Current);
        Assert.Equal(5, afterB?.Peak);
    }

    [Fact]
    public async Task Moderation_on_one_node_binds_members_on_the_other()
    {
        var onA = await a.Sessions.GetAsync("s1");
        var onB = await b.Sessions.GetAsync("s1");
        var member = TestEngine.Member("m1");
        Assert.True((await onB.PostChatAsync(member, "before", "c1")).IsOk);

        Assert.True((await onA.SetSlowModeAsync(TestEngine.Moderator, 60)).IsOk);
        await Eventually.TrueAsync(async () => (await onB.CollectUpdateAsync())?.Settings?.SlowModeSeconds == 60, "the other node to see the change");
        Assert.Equal("slow_mode", (await onB.PostChatAsync(member, "too soon", "c2")).Error?.Code);

        Assert.True((await onA.BanAsync(TestEngine.Moderator, "m2", true)).IsOk);
        await Eventually.TrueAsync(async () => (await onB.PostChatAsync(TestEngine.Member("m2"), "banned?", Guid.NewGuid().ToString("N"))).Error?.Code == "banned", "the other node to see the change");

        // Deleting the pinned message on A unpins it for B's viewers too.
        var pinnedMessage = (await onB.PostChatAsync(TestEngine.Member("m3"), "pin me", "p1")).Value!.MessageId;
        Assert.True((await onA.PinAsync(TestEngine.Moderator, pinnedMessage)).IsOk);
        await Eventually.TrueAsync(async () => (await onB.PeekAsync(Caller.Anonymous)).Settings.Pinned?.Id == pinnedMessage, "the other node to see the change");
        Assert.True((await onA.DeleteMessageAsync(TestEngine.Moderator, pinnedMessage)).IsOk);
        await Eventually.TrueAsync(async () => (await onB.PeekAsync(Caller.Anonymous)) is { Settings.Pinned: null } snapshot && snapshot.Chat.All(m => m.Id != pinnedMessage), "the other node to see the change");

        Assert.True((await onA.ReactAsync(TestEngine.Member("r"), "applause")).IsOk);
        await Eventually.TrueAsync(async () => (await onB.CollectUpdateAsync())?.Reactions?["applause"] == 1, "the other node to see the change");
    }

    [Fact]
    public async Task Chat_from_both_nodes_reaches_the_viewers_of_both_once_and_in_the_same_order()
    {
        var onA = await a.Sessions.GetAsync("s1");
        var onB = await b.Sessions.GetAsync("s1");
        var sends = new List<Task<Outcome<ChatAck>>>();
        for (var i = 0; i < 200; i++)
        {
            var node = i % 2 == 0 ? onA : onB;
            var n = i;
            sends.Add(Task.Run(() => node.PostChatAsync(TestEngine.Member("m" + n % 7), "msg " + n, "c" + n)));
        }
        var acks = await Task.WhenAll(sends);
        Assert.All(acks, x => Assert.True(x.IsOk, x.Error?.Code));
        var expected = acks.Select(x => x.Value!.MessageId).Order().ToArray();

        var seenA = new List<long>();
        var seenB = new List<long>();
        for (var i = 0; i < 300 && (seenA.Count < 200 || seenB.Count < 200); i++)
        {
            seenA.AddRange((await onA.CollectUpdateAsync())?.Chat?.Select(m => m.Id) ?? []);
            seenB.AddRange((await onB.CollectUpdateAsync())?.Chat?.Select(m => m.Id) ?? []);
            await Task.Delay(10);
        }
        Assert.Equal(expected, seenA);
        Assert.Equal(expected, seenB);
    }

    [Fact]
    public async Task Votes_on_both_nodes_count_once_show_on_both_and_none_count_after_the_close()
    {
        var onA = await a.Sessions.GetAsync("s1");
        var onB = await b.Sessions.GetAsync("s1");
        var opened = await onA.OpenRoundAsync(TestEngine.Organizer, "Best?", ["X", "Y"], true, false, "open");
        var roundId = opened.Value!.RoundId;

        // 300 voters, each voting on both nodes with the same id (a retry after switching nodes).
        var first = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).Rounds.CallAsync(roundId, g => g.CastAsync(TestEngine.Member("v" + i), i % 3 == 0 ? "a" : "b", "id" + i)))));
        var again = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() =>
            (i % 2 == 0 ? b : a).Rounds.CallAsync(roundId, g => g.CastAsync(TestEngine.Member("v" + i), "a", "id" + i)))));
        Assert.All(first.Concat(again), r => Assert.Equal("accepted", r.Value?.Status));
        Assert.Equal(300, (await storeA.GetVotesAsync(roundId)).Count);

        // Both nodes' viewers see the whole tally.
        await Eventually.TrueAsync(async () => TotalOf(await onA.CollectUpdateAsync(), roundId) == 300 || (await onA.PeekAsync(Caller.Anonymous)).Rounds.Single().TotalVotes == 300, "the other node to see the change");
        await Eventually.TrueAsync(async () => TotalOf(await onB.CollectUpdateAsync(), roundId) == 300 || (await onB.PeekAsync(Caller.Anonymous)).Rounds.Single().TotalVotes == 300, "the other node to see the change");

        // A storm on B while A closes: whatever B acknowledged is counted, nothing after the close.
        var storm = Enumerable.Range(1000, 400).Select(i => Task.Run(() =>
            b.Rounds.CallAsync(roundId, g => g.CastAsync(TestEngine.Member("v" + i), "b", "id" + i)))).ToArray();
        var closed = await a.Rounds.CallAsync(roundId, g => g.CloseAsync(TestEngine.Organizer));
        var stormResults = await Task.WhenAll(storm);
        var acknowledged = stormResults.Count(r => r.IsOk);
        Assert.All(stormResults.Where(r => !r.IsOk), r => Assert.Equal("round_closed", r.Error!.Code));
        var stored = (await storeA.GetVotesAsync(roundId)).Count;
        Assert.Equal(300 + acknowledged, stored);
        Assert.Equal(stored, closed.Value!.TotalVotes);
        var late = await b.Rounds.CallAsync(roundId, g => g.CastAsync(TestEngine.Member("late"), "a", "late"));
        Assert.Equal("round_closed", late.Error?.Code);
        Assert.Equal(stored, (await storeB.GetVotesAsync(roundId)).Count);
    }

    [Fact]
    public async Task A_failed_read_of_another_nodes_votes_is_retried_on_the_next_tick_and_holds_back_nothing_else()
    {
        var flaky = new FlakyStore(new SqliteLiveStore(Path.Combine(folder, "live.db")));
        await using var c = new LiveEngine(flaky, bus.ForNode("c"), new AnySession(), Options(), TimeProvider.System);
        var onA = await a.Sessions.GetAsync("s2");
        var onC = await c.Sessions.GetAsync("s2");
        var roundId = (await onA.OpenRoundAsync(TestEngine.Organizer, "Best?", ["X", "Y"], true, false, "open")).Value!.RoundId;
        await Eventually.TrueAsync(async () => (await onC.PeekAsync(Caller.Anonymous)).Rounds.Count == 1, "C to learn of the round");
        await onC.CollectUpdateAsync();

        // The database stops answering C's reads while A counts votes; C's ticks go on.
        flaky.ReadsDown = true;
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await a.Rounds.CallAsync(roundId, g => g.CastAsync(TestEngine.Member("v" + i), "a", "id" + i))).IsOk);
        }
        await Eventually.TrueAsync(async () =>
        {
            Assert.Null(TotalOf(await onC.CollectUpdateAsync(), roundId));
            return Volatile.Read(ref flaky.FailedReads) > 0;
        }, "C to try reading the votes");
        await onC.JoinAsync("conn-1", "viewer-1", Caller.Anonymous);
        var meanwhile = await onC.CollectUpdateAsync();
        Assert.Equal(1, meanwhile?.Counts?.Current);
        Assert.Null(TotalOf(meanwhile, roundId));

        // Reads come back; no new vote or signal arrives, and C's next ticks show all five.
        flaky.ReadsDown = false;
        await Eventually.TrueAsync(async () => TotalOf(await onC.CollectUpdateAsync(), roundId) == 5, "C to show the votes it failed to read");
    }

    private static long? TotalOf(SessionUpdate? update, string roundId) => update?.Rounds?.SingleOrDefault(r => r.RoundId == roundId)?.TotalVotes;

    private sealed class AnySession : ISessionCatalog
    {
        public bool Exists(string sessionId) => true;
    }
}
