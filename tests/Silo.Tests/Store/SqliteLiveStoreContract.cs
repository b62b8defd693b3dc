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
