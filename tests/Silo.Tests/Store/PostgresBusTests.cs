using System.Collections.Concurrent;
using Events.Silo.Bus;
using Microsoft.Extensions.Logging.Abstractions;

namespace Events.Silo.Tests.Store;

/// <summary>The LISTEN/NOTIFY bus against a real PostgreSQL server, including the server going away and coming back.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBusTests(PostgresServer server)
{
    [Fact]
    public async Task Signals_reach_the_other_node_in_order_survive_a_restart_and_trigger_a_resync()
    {
        var (name, connectionString) = await server.CreateDatabaseAsync();
        await using var a = new PostgresBus(connectionString, "a", NullLogger<PostgresBus>.Instance);
        await using var b = new PostgresBus(connectionString, "b", NullLogger<PostgresBus>.Instance);
        var seenByB = new ConcurrentQueue<BusSignal>();
        using var _ = b.Subscribe(s =>
        {
            seenByB.Enqueue(s);
            return Task.CompletedTask;
        });
        await Eventually.TrueAsync(() => a.IsListening && b.IsListening, "both buses listening");

        for (var i = 1; i <= 50; i++)
        {
            await a.PublishAsync(new BusSignal("a", "s1", BusSignalKind.ChatAppended, i, i % 2 == 0 ? "r1" : null));
        }
        await Eventually.TrueAsync(() => seenByB.Count(s => s.Kind == BusSignalKind.ChatAppended) == 50, "50 signals at b");
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), seenByB.Where(s => s.Kind == BusSignalKind.ChatAppended).Select(s => s.Value));
        Assert.Equal("r1", seenByB.First(s => s.Value == 2).RoundId);
        Assert.All(seenByB, s => Assert.Equal(("a", "s1"), (s.NodeId, s.SessionId)));

        await Assert.ThrowsAsync<ArgumentException>(async () => await a.PublishAsync(new BusSignal("a", new string('x', 9000), BusSignalKind.SettingsChanged, 0)));

        // PostgreSQL restarts: both buses lose their listening connection, come back by themselves,
        // tell their handlers to resync, and carry signals again.
        await server.RestartAsync(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => seenByB.Any(s => s.Kind == BusSignalKind.Resync), "a resync at b after the restart", 30_000);
        await Eventually.TrueAsync(() => a.IsListening && b.IsListening, "both buses listening again", 30_000);
        await a.PublishAsync(new BusSignal("a", "s1", BusSignalKind.SettingsChanged, 0));
        await Eventually.TrueAsync(() => seenByB.Any(s => s.Kind == BusSignalKind.SettingsChanged), "a signal after the restart");
        await server.DropDatabaseAsync(name);
    }
}
