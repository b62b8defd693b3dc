using Events.Silo.Live;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>
/// A node's relay gets pushes from the session's grain on several threads at once (a grain
/// observer is not single-threaded). Whatever order they arrive in, every viewer must be sent
/// them in sequence order: a viewer that sees 101 before 100 takes it for a gap and re-joins
/// (a snapshot per viewer: under load, a storm of them), and one that applies in arrival order
/// shows the older figures.
/// </summary>
public sealed class RelayOrderTests
{
    private const string Session = "forum-2026-12-open-source";

    private sealed class Viewers : IAsyncDisposable
    {
        private readonly List<HubConnection> connections = [];
        private readonly List<List<long>> seen = [];

        public static async Task<Viewers> JoinAsync(LiveHost host, int count)
        {
            var viewers = new Viewers();
            for (var i = 0; i < count; i++)
            {
                var mine = new List<long>();
                viewers.seen.Add(mine);
                var connection = await LiveHost.ConnectAsync(host.HubUrl, null);
                connection.On<SessionUpdate>("Update", u =>
                {
                    lock (mine)
                    {
                        mine.Add(u.Seq);
                    }
                });
                var joined = await connection.InvokeAsync<HubResult<SessionSnapshot>>("JoinSession", Session);
                Assert.True(joined.Ok, joined.Error?.Code);
                viewers.connections.Add(connection);
            }
            return viewers;
        }

        /// <summary>What each viewer received of the test's pushes (seq at or above <paramref name="from"/>), in arrival order.</summary>
        public long[][] Received(long from) => seen.Select(s => { lock (s) { return s.Where(x => x >= from).ToArray(); } }).ToArray();

        public Task UntilEveryOneHasAsync(long seq, int timeoutMs = 10_000) =>
            Eventually.TrueAsync(() => seen.All(s => { lock (s) { return s.Contains(seq); } }), $"every viewer to get push {seq}", timeoutMs);

        public async ValueTask DisposeAsync()
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    // Far above the grain's own numbers (its activation time in ms), so its updates are dropped as old meanwhile.
    private const long First = 1L << 60;

    private static SessionUpdate Push(long seq) => new(Session, seq, new CountsView(seq % 1000, 0, 0, 0, 0), null, null, null, null, null);

    [Fact]
    public async Task Pushes_arriving_on_several_threads_reach_every_viewer_in_sequence_order()
    {
        await using var host = await LiveHost.StartAsync();
        var relay = host.Services.GetRequiredService<SessionRelay>();
        await using var viewers = await Viewers.JoinAsync(host, 40);

        const int threads = 4, perThread = 500;
        using var start = new Barrier(threads);
        var pushes = Enumerable.Range(0, threads).Select(k => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                relay.DeliverAsync(Push(First + i * threads + k));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(pushes);

        const long last = First + threads * perThread - 1;
        await viewers.UntilEveryOneHasAsync(last);
        foreach (var (got, v) in viewers.Received(First).Select((g, v) => (g, v)))
        {
            for (var i = 1; i < got.Length; i++)
            {
                Assert.True(got[i] > got[i - 1], $"viewer {v} got {got[i]} after {got[i - 1]} (push {i} of {got.Length})");
            }
        }
    }

    [Fact]
    public async Task A_push_overtaken_by_the_next_one_still_reaches_every_viewer_and_a_real_gap_goes_out_after_a_short_wait()
    {
        await using var host = await LiveHost.StartAsync();
        var relay = host.Services.GetRequiredService<SessionRelay>();
        await using var viewers = await Viewers.JoinAsync(host, 20);

        // 201 pushes, after the first each pair arriving the wrong way round (2, 1, 4, 3, ...): nothing may be lost.
        // The first jumps from the grain's own numbers: a gap, sent after the wait.
        await relay.DeliverAsync(Push(First));
        await viewers.UntilEveryOneHasAsync(First);
        for (var i = 1; i <= 200; i += 2)
        {
            await relay.DeliverAsync(Push(First + i + 1));
            await relay.DeliverAsync(Push(First + i));
        }
        await viewers.UntilEveryOneHasAsync(First + 200);
        var expected = Enumerable.Range(0, 201).Select(i => First + i).ToArray();
        Assert.All(viewers.Received(First), got => Assert.Equal(expected, got));

        // A push that never comes (201): the one after it still goes out, after the wait; 201 arriving after that is old.
        var before = Environment.TickCount64;
        await relay.DeliverAsync(Push(First + 202));
        await viewers.UntilEveryOneHasAsync(First + 202, timeoutMs: 5_000);
        Assert.InRange(Environment.TickCount64 - before, (long)SessionRelay.ReorderWait.TotalMilliseconds - 20, 3_000);
        await relay.DeliverAsync(Push(First + 201));
        await relay.DeliverAsync(Push(First + 203));
        await viewers.UntilEveryOneHasAsync(First + 203);
        Assert.All(viewers.Received(First), got => Assert.Equal([.. expected, First + 202, First + 203], got));
    }
}
