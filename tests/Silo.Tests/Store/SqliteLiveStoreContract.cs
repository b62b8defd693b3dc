using Events.Silo.Store;
using Microsoft.Data.Sqlite;

namespace Events.Silo.Tests.Store;

/// <summary>The store contract on the embedded engine: each location is a new SQLite file in a folder of this test's own.</summary>
public sealed class SqliteLiveStoreContract : LiveStoreContract
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "events-store-" + Guid.NewGuid().ToString("N"));

    protected override Task<string> CreateEmptyLocationAsync() =>
        Task.FromResult(Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db"));

    protected override ILiveStore Open(string location) => new SqliteLiveStore(location);

    [Fact]
    public async Task A_database_made_before_replay_views_gets_the_column_and_keeps_its_figures()
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "old.db");
        await using (var old = new SqliteConnection("Data Source=" + path))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE live_sessions (session_id TEXT PRIMARY KEY, status TEXT NOT NULL DEFAULT 'Scheduled', status_changed_at INTEGER,
                    slow_mode_seconds INTEGER NOT NULL DEFAULT 0, pinned_message_id INTEGER, unique_viewers INTEGER NOT NULL DEFAULT 0,
                    total_views INTEGER NOT NULL DEFAULT 0, peak_viewers INTEGER NOT NULL DEFAULT 0);
                INSERT INTO live_sessions (session_id, unique_viewers, total_views, peak_viewers) VALUES ('s1', 4, 7, 3);
                """;
            await create.ExecuteNonQueryAsync();
        }
        var store = new SqliteLiveStore(path);
        try
        {
            await store.InitializeAsync();
            Assert.Equal(new SessionCounters(4, 7, 3, ReplayViews: 0), await store.GetCountersAsync("s1"));
            Assert.Equal(new SessionCounters(4, 8, 3, ReplayViews: 1), await store.RecordPresenceAsync("s1", [], 1, 1, 0, 1_000));
            await store.InitializeAsync(); // a second start changes nothing
            Assert.Equal(1, (await store.GetCountersAsync("s1")).ReplayViews);
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    protected override Task DeleteLocationsAsync()
    {
        // Pooled read connections keep the files open.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        return Task.CompletedTask;
    }
}
