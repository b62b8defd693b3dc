using Events.Silo.Contests;
using Npgsql;
using NpgsqlTypes;

namespace Events.Silo.Store;

public sealed partial class PostgresLiveStore
{
    private const string JudgingSchema = """

        CREATE TABLE IF NOT EXISTS contest_judging (
            contest_id text PRIMARY KEY,
            locked_at bigint,
            audience_round text,
            revealed integer NOT NULL DEFAULT 0,
            updated_at bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS contest_judges (
            contest_id text NOT NULL,
            user_id text NOT NULL,
            display_name text NOT NULL,
            added_at bigint NOT NULL,
            PRIMARY KEY (contest_id, user_id));
        CREATE TABLE IF NOT EXISTS judge_scores (
            contest_id text NOT NULL,
            user_id text NOT NULL,
            project text NOT NULL,
            criterion text NOT NULL,
            score integer NOT NULL,
            updated_at bigint NOT NULL,
            PRIMARY KEY (contest_id, user_id, project, criterion));
        """;

    public async Task<JudgingRecord> GetJudgingAsync(string contestId)
    {
        await using var c = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        var judges = new List<JudgeRecord>();
        await using (var cmd = Command(c, null, "SELECT user_id, display_name, added_at FROM contest_judges WHERE contest_id = @c ORDER BY added_at, user_id", P("c", contestId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                judges.Add(new JudgeRecord(r.GetString(0), r.GetString(1), r.GetInt64(2)));
            }
        }
        var scores = new List<StoredScore>();
        await using (var cmd = Command(c, null, "SELECT user_id, project, criterion, score, updated_at FROM judge_scores WHERE contest_id = @c", P("c", contestId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                scores.Add(new StoredScore(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4)));
            }
        }
        await using (var cmd = Command(c, null, "SELECT locked_at, audience_round, revealed FROM contest_judging WHERE contest_id = @c", P("c", contestId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            if (await r.ReadAsync().ConfigureAwait(false))
            {
                return new JudgingRecord(judges, scores, r.IsDBNull(0) ? null : r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt32(2));
            }
        }
        return new JudgingRecord(judges, scores, null, null, 0);
    }

    public Task AddJudgeAsync(string contestId, string userId, string displayName, long atMs) =>
        ExecuteAsync("INSERT INTO contest_judges (contest_id, user_id, display_name, added_at) VALUES (@c, @u, @n, @t) ON CONFLICT DO NOTHING",
            P("c", contestId), P("u", userId), P("n", displayName), P("t", atMs));

    public Task RemoveJudgeAsync(string contestId, string userId) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using (var cmd = Command(c, tx, "DELETE FROM judge_scores WHERE contest_id = @c AND user_id = @u", P("c", contestId), P("u", userId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using (var cmd = Command(c, tx, "DELETE FROM contest_judges WHERE contest_id = @c AND user_id = @u", P("c", contestId), P("u", userId)))
            {
                return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        });

    public Task SaveScoresAsync(string contestId, string userId, IReadOnlyList<ScoreEntry> scores, long atMs) =>
        // One statement for the whole sheet, in key order so that two saves of one sheet queue instead of deadlocking.
        ExecuteAsync("""
            INSERT INTO judge_scores (contest_id, user_id, project, criterion, score, updated_at)
            SELECT @c, @u, p, k, s, @t FROM unnest(@p, @k, @s) AS x(p, k, s) ORDER BY p, k
            ON CONFLICT (contest_id, user_id, project, criterion) DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at
            """,
            P("c", contestId), P("u", userId), P("t", atMs),
            new NpgsqlParameter("p", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = scores.Select(s => s.Project).ToArray() },
            new NpgsqlParameter("k", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = scores.Select(s => s.Criterion).ToArray() },
            new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = scores.Select(s => s.Score).ToArray() });

    public Task LockJudgingAsync(string contestId, string? audienceRound, long atMs) =>
        ExecuteAsync("""
            INSERT INTO contest_judging (contest_id, locked_at, audience_round, updated_at) VALUES (@c, @t, @r, @t)
            ON CONFLICT (contest_id) DO UPDATE SET locked_at = coalesce(contest_judging.locked_at, excluded.locked_at),
                audience_round = CASE WHEN contest_judging.locked_at IS NULL THEN excluded.audience_round ELSE contest_judging.audience_round END,
                updated_at = excluded.updated_at
            """, P("c", contestId), P("t", atMs), new NpgsqlParameter("r", NpgsqlDbType.Text) { Value = (object?)audienceRound ?? DBNull.Value });

    public Task SetRevealedAsync(string contestId, int revealed, long atMs) =>
        ExecuteAsync("""
            INSERT INTO contest_judging (contest_id, revealed, updated_at) VALUES (@c, @n, @t)
            ON CONFLICT (contest_id) DO UPDATE SET revealed = excluded.revealed, updated_at = excluded.updated_at
            """, P("c", contestId), P("n", revealed), P("t", atMs));
}
