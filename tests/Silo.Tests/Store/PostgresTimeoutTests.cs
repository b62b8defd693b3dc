using System.Diagnostics;
using Events.Silo.Store;
using Npgsql;

namespace Events.Silo.Tests.Store;

[Collection(PostgresCollection.Name)]
public sealed class PostgresTimeoutTests(PostgresServer server)
{
    [Fact]
    public async Task A_read_behind_a_lock_that_is_never_released_gives_up_after_the_default_command_timeout()
    {
        var (name, connectionString) = await server.CreateDatabaseAsync();
        try
        {
            await using var store = new PostgresLiveStore(connectionString);
            await store.InitializeAsync();
            var round = await store.CreateRoundAsync(new RoundDraft("r1", "s1", "Best?", [new("a", "A"), new("b", "B")], true, RoundEligibility.Members, "organizer", "open-1", 1));

            // Another client holds the rounds table and never lets go, as a stuck migration would.
            await using var blocker = new NpgsqlConnection(connectionString);
            await blocker.OpenAsync();
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE vote_rounds IN ACCESS EXCLUSIVE MODE", blocker, tx))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<Exception>(() => store.GetRoundAsync(round.RoundId));
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(PostgresLiveStore.DefaultCommandTimeoutSeconds - 1), TimeSpan.FromSeconds(PostgresLiveStore.DefaultCommandTimeoutSeconds + 10));

            // Once the lock is gone the same store reads the round again.
            await tx.RollbackAsync();
            Assert.Equal("Best?", (await store.GetRoundAsync(round.RoundId))!.Question);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await server.DropDatabaseAsync(name);
        }
    }
}
