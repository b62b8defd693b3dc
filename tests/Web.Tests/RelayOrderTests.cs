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

    [Fact]
    public async Task Pushes_arriving_on_several_threads_reach_every_viewer_in_sequence_order()
    {
        await using var host = await LiveHost.StartAsync();
        var relay = host.Services.GetRequiredService<SessionRelay>();
        const int viewers = 40;
        var seen = Enumerable.Range(0, viewers).Select(_ => new List<long>()).ToArray();
        var connections = new List<HubConnection>();
        for (var i = 0; i < viewers; i++)
        {
            var mine = seen[i];
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
            connections.Add(connection);
        }

        // Far above the grain's own numbers (its activation time in ms), so its updates are dropped as old meanwhile.
        const long first = 1L << 60;
        const int threads = 4, perThread = 500;
        using var start = new Barrier(threads);
        var pushes = Enumerable.Range(0, threads).Select(k => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                var seq = first + i * threads + k;
                relay.DeliverAsync(new SessionUpdate(Session, seq, new CountsView(seq % 1000, 0, 0, 0, 0), null, null, null, null, null));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(pushes);

        const long last = first + threads * perThread - 1;
        await Eventually.TrueAsync(() => seen.All(s => { lock (s) { return s.Count > 0 && s[^1] == last; } }),
            "every viewer to get the last push");
        for (var v = 0; v < viewers; v++)
        {
            long[] got;
            lock (seen[v])
            {
                got = seen[v].Where(s => s >= first).ToArray();
            }
            for (var i = 1; i < got.Length; i++)
            {
                Assert.True(got[i] > got[i - 1], $"viewer {v} got {got[i]} after {got[i - 1]} (push {i} of {got.Length})");
            }
        }
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}
