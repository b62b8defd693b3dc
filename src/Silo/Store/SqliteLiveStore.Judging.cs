using Events.Silo.Contests;
using Microsoft.Data.Sqlite;

namespace Events.Silo.Store;

public sealed partial class SqliteLiveStore
{
    private const string JudgingSchema = """
        CREATE TABLE IF NOT EXISTS contest_judging (
            contest_id TEXT PRIMARY KEY,
            locked_at INTEGER,
            audience_round TEXT,
            revealed INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS contest_judges (
            contest_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (contest_id, user_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS judge_scores (
            contest_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            project TEXT NOT NULL,
            criterion TEXT NOT NULL,
            score INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (contest_id, user_id, project, criterion)) WITHOUT ROWID;
        """;

    public Task<JudgingRecord> GetJudgingAsync(string contestId) =>
        ReadAsync(async c =>
        {
            var judges = new List<JudgeRecord>();
            await using (var cmd = Command(c, null, "SELECT user_id, display_name, added_at FROM contest_judges WHERE contest_id = $c ORDER BY added_at, user_id", ("$c", contestId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    judges.Add(new JudgeRecord(r.GetString(0), r.GetString(1), r.GetInt64(2)));
                }
            }
            var scores = new List<StoredScore>();
            await using (var cmd = Command(c, null, "SELECT user_id, project, criterion, score, updated_at FROM judge_scores WHERE contest_id = $c", ("$c", contestId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    scores.Add(new StoredScore(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4)));
                }
            }
            await using (var cmd = Command(c, null, "SELECT locked_at, audience_round, revealed FROM contest_judging WHERE contest_id = $c", ("$c", contestId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                if (await r.ReadAsync().ConfigureAwait(false))
                {
                    return new JudgingRecord(judges, scores, r.IsDBNull(0) ? null : r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt32(2));
                }
            }
            return new JudgingRecord(judges, scores, null, null, 0);
        });

    public Task AddJudgeAsync(string contestId, string userId, string displayName, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, "INSERT INTO contest_judges (contest_id, user_id, display_name, added_at) VALUES ($c, $u, $n, $t) ON CONFLICT DO NOTHING",
                ("$c", contestId), ("$u", userId), ("$n", displayName), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task RemoveJudgeAsync(string contestId, string userId) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var cmd = Command(c, tx, "DELETE FROM judge_scores WHERE contest_id = $c AND user_id = $u", ("$c", contestId), ("$u", userId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using (var cmd = Command(c, tx, "DELETE FROM contest_judges WHERE contest_id = $c AND user_id = $u", ("$c", contestId), ("$u", userId)))
            {
                return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        });

    public Task SaveScoresAsync(string contestId, string userId, IReadOnlyList<ScoreEntry> scores, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO judge_scores (contest_id, user_id, project, criterion, score, updated_at) VALUES ($c, $u, $p, $k, $s, $t)
                ON CONFLICT (contest_id, user_id, project, criterion) DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at
                """, ("$c", contestId), ("$u", userId), ("$p", ""), ("$k", ""), ("$s", 0), ("$t", atMs));
            foreach (var score in scores)
            {
                cmd.Parameters["$p"].Value = score.Project;
                cmd.Parameters["$k"].Value = score.Criterion;
                cmd.Parameters["$s"].Value = score.Score;
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            return scores.Count;
        });

    public Task LockJudgingAsync(string contestId, string? audienceRound, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO contest_judging (contest_id, locked_at, audience_round, updated_at) VALUES ($c, $t, $r, $t)
                ON CONFLICT (contest_id) DO UPDATE SET locked_at = coalesce(contest_judging.locked_at, excluded.locked_at),
                    audience_round = CASE WHEN contest_judging.locked_at IS NULL THEN excluded.audience_round ELSE contest_judging.audience_round END,
                    updated_at = excluded.updated_at
                """, ("$c", contestId), ("$t", atMs), ("$r", audienceRound));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task SetRevealedAsync(string contestId, int revealed, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO contest_judging (contest_id, revealed, updated_at) VALUES ($c, $n, $t)
                ON CONFLICT (contest_id) DO UPDATE SET revealed = excluded.revealed, updated_at = excluded.updated_at
                """, ("$c", contestId), ("$n", revealed), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });
}
