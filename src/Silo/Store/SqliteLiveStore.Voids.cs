namespace Events.Silo.Store;

public sealed partial class SqliteLiveStore
{
    public Task<IReadOnlyList<StoredVote>> VoidVotesAsync(string roundId, IReadOnlyCollection<string> voterIds, string voidedBy, string reason, long atMs) =>
        WriteAsync<IReadOnlyList<StoredVote>>(async (c, tx) =>
        {
            var voided = new List<StoredVote>();
            await using var cmd = Command(c, tx, """
                UPDATE votes SET voided_at = $t, voided_by = $b, void_reason = $why
                WHERE round_id = $r AND voter_id = $v AND voided_at IS NULL
                RETURNING voter_id, option_id, client_vote_id
                """, ("$t", atMs), ("$b", voidedBy), ("$why", reason), ("$r", roundId), ("$v", ""));
            foreach (var voter in voterIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                cmd.Parameters["$v"].Value = voter;
                await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
                voided.AddRange(await StoreRows.ListAsync(r, StoreRows.Vote).ConfigureAwait(false));
            }
            return voided;
        });

    public Task<IReadOnlyList<string>> GetVoidedVotersAsync(string roundId) =>
        ReadAsync<IReadOnlyList<string>>(async c =>
        {
            await using var cmd = Command(c, null, "SELECT voter_id FROM votes WHERE round_id = $r AND voided_at IS NOT NULL ORDER BY voter_id", ("$r", roundId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, x => x.GetString(0)).ConfigureAwait(false);
        });
}
