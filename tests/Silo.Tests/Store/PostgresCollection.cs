namespace Events.Silo.Tests.Store;

/// <summary>Test classes in this collection share one <see cref="PostgresServer"/>: starting a server per class would cost a few seconds each.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
