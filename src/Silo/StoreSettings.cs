namespace Events.Silo;

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The live store (configuration section "Store"): SQLite files by default, PostgreSQL for several nodes.</summary>
public sealed class StoreSettings
{
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    public SqliteStoreSettings Sqlite { get; set; } = new();

    public PostgresStoreSettings Postgres { get; set; } = new();

    public void Validate()
    {
        if (Provider != StoreProvider.Postgres)
        {
            return;
        }
        if (string.IsNullOrWhiteSpace(Postgres.ConnectionString))
        {
            throw new InvalidOperationException("Configuration 'Store:Postgres:ConnectionString' is required when 'Store:Provider' is 'postgres'.");
        }
        try
        {
            // Parsed now so a malformed value stops the start instead of the first request.
            _ = new Npgsql.NpgsqlConnectionStringBuilder(Postgres.ConnectionString);
        }
        catch (ArgumentException e)
        {
            // The value itself is not repeated: it may hold a password.
            throw new InvalidOperationException($"Configuration 'Store:Postgres:ConnectionString' is not a valid PostgreSQL connection string: {e.Message}", e);
        }
    }
}

public sealed class SqliteStoreSettings
{
    /// <summary>The database file; <c>live.db</c> in the data folder when not set.</summary>
    public string? Path { get; set; }
}

public sealed class PostgresStoreSettings
{
    public string? ConnectionString { get; set; }
}
