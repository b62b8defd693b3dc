using Npgsql;
using NpgsqlTypes;

namespace Events.Silo.Store;

public sealed partial class PostgresLiveStore
{
    public async Task<IReadOnlyList<StoredVote>> VoidVotesAsync(string roundId, IReadOnlyCollection<string> voterIds, string voidedBy, string reason, long atMs)
    {
        // One statement; rows are updated in key order, as the vote batches write them, so the two queue instead of deadlocking.
        await using var cmd = dataSource.CreateCommand("""
            UPDATE votes SET voided_at = @t, voided_by = @b, void_reason = @why
            FROM (SELECT DISTINCT unnest(@v) AS voter ORDER BY 1) AS d
            WHERE votes.round_id = @r AND votes.voter_id = d.voter AND votes.voided_at IS NULL
            RETURNING votes.voter_id, votes.option_id, votes.client_vote_id
            """);
        cmd.Parameters.Add(P("t", atMs));
        cmd.Parameters.Add(P("b", voidedBy));
        cmd.Parameters.Add(P("why", reason));
        cmd.Parameters.Add(P("r", roundId));
        cmd.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = voterIds.ToArray() });
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Vote).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetVoidedVotersAsync(string roundId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT voter_id FROM votes WHERE round_id = @r AND voided_at IS NOT NULL ORDER BY voter_id");
        cmd.Parameters.Add(P("r", roundId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, x => x.GetString(0)).ConfigureAwait(false);
    }
}
