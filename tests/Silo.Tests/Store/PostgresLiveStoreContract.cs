using Events.Silo.Store;

namespace Events.Silo.Tests.Store;

/// <summary>The store contract on a real PostgreSQL server: each location is a new database on the shared test server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLiveStoreContract(PostgresServer server) : LiveStoreContract
{
    private readonly List<string> databases = [];

    protected override async Task<string> CreateEmptyLocationAsync()
    {
        var (name, connectionString) = await server.CreateDatabaseAsync();
        databases.Add(name);
        return connectionString;
    }

    protected override ILiveStore Open(string location) => new PostgresLiveStore(location);

    protected override async Task DeleteLocationsAsync()
    {
        foreach (var name in databases)
        {
            await server.DropDatabaseAsync(name);
        }
    }
}
