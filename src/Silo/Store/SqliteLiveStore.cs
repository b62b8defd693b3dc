using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Events.Silo.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a committed batch
/// survives a crash. SQLite allows one writer at a time, and Microsoft.Data.Sqlite's async methods
/// run synchronously (an fsync blocks the calling thread): so every write transaction runs on one
/// dedicated writer thread with its own connection, and callers await the result without
/// holding a thread-pool thread. Reads use their own pooled connections, which WAL lets run
/// beside the writer.
/// </summary>
public sealed partial class SqliteLiveStore : ILiveStore, IAsyncDisposable
{
    private readonly string connectionString;
    private readonly System.Collections.Concurrent.BlockingCollection<Action> writes = new(boundedCapacity: 100_000);
    private readonly Thread writerThread;
    private SqliteConnection? writer;

    public SqliteLiveStore(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        writerThread = new Thread(WriterLoop) { IsBackground = true, Name = "sqlite-writer" };
        writerThread.Start();
    }

    private void WriterLoop()
    {
        foreach (var write in writes.GetConsumingEnumerable())
        {
            write();
        }
        writer?.Dispose();
        writer = null;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await WriteAsync(async (c, tx) =>
        {
            await ExecAsync(c, tx, Schema).ConfigureAwait(false);
            await ExecAsync(c, tx, JudgingSchema).ConfigureAwait(false);
            await ExecAsync(c, tx, QueueSchema).ConfigureAwait(false);
            // Databases made before replay views were counted apart get the column.
            await using (var columns = Command(c, tx, "SELECT count(*) FROM pragma_table_info('live_sessions') WHERE name = 'replay_views'"))
            {
                if ((long)(await columns.ExecuteScalarAsync().ConfigureAwait(false))! == 0)
                {
                    await ExecAsync(c, tx, "ALTER TABLE live_sessions ADD COLUMN replay_views INTEGER NOT NULL DEFAULT 0").ConfigureAwait(false);
                }
            }
            // Databases made before multi-choice rounds and voting windows get the columns.
            await AddColumnIfMissingAsync(c, tx, "vote_rounds", "max_choices", "INTEGER NOT NULL DEFAULT 1").ConfigureAwait(false);
            await AddColumnIfMissingAsync(c, tx, "vote_rounds", "closes_at", "INTEGER").ConfigureAwait(false);
            // Databases made before ballots could be voided get the columns.
            await AddColumnIfMissingAsync(c, tx, "votes", "voided_at", "INTEGER").ConfigureAwait(false);
            await AddColumnIfMissingAsync(c, tx, "votes", "voided_by", "TEXT").ConfigureAwait(false);
            await AddColumnIfMissingAsync(c, tx, "votes", "void_reason", "TEXT").ConfigureAwait(false);
            // Databases made before staff badges get the column.
            await using (var columns = Command(c, tx, "SELECT count(*) FROM pragma_table_info('chat_messages') WHERE name = 'author_badge'"))
            {
                if ((long)(await columns.ExecuteScalarAsync().ConfigureAwait(false))! == 0)
                {
                    await ExecAsync(c, tx, "ALTER TABLE chat_messages ADD COLUMN author_badge TEXT").ConfigureAwait(false);
                }
            }
            return 0;
        }).ConfigureAwait(false);
    }

    private static async Task AddColumnIfMissingAsync(SqliteConnection c, SqliteTransaction tx, string table, string column, string definition)
    {
        await using var columns = Command(c, tx, $"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = '{column}'");
        if ((long)(await columns.ExecuteScalarAsync().ConfigureAwait(false))! == 0)
        {
            await ExecAsync(c, tx, $"ALTER TABLE {table} ADD COLUMN {column} {definition}").ConfigureAwait(false);
        }
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS live_sessions (
            session_id TEXT PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'Scheduled',
            status_changed_at INTEGER,
            slow_mode_seconds INTEGER NOT NULL DEFAULT 0,
            pinned_message_id INTEGER,
            unique_viewers INTEGER NOT NULL DEFAULT 0,
            total_views INTEGER NOT NULL DEFAULT 0,
            peak_viewers INTEGER NOT NULL DEFAULT 0,
            replay_views INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS session_viewers (
            session_id TEXT NOT NULL,
            viewer_key TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            PRIMARY KEY (session_id, viewer_key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS chat_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_name TEXT NOT NULL,
            body TEXT NOT NULL,
            client_message_id TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            deleted_at INTEGER,
            deleted_by TEXT,
            author_badge TEXT,
            UNIQUE (session_id, author_id, client_message_id));
        CREATE INDEX IF NOT EXISTS chat_by_session ON chat_messages (session_id, id);
        CREATE TABLE IF NOT EXISTS sanctions (
            session_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            until_ms INTEGER,
            set_by TEXT NOT NULL,
            set_at INTEGER NOT NULL,
            PRIMARY KEY (session_id, user_id, kind)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS reactions (
            session_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (session_id, kind)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS vote_rounds (
            round_id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            question TEXT NOT NULL,
            options_json TEXT NOT NULL,
            show_tally INTEGER NOT NULL,
            eligibility TEXT NOT NULL,
            status TEXT NOT NULL,
            opened_by TEXT NOT NULL,
            client_command_id TEXT NOT NULL,
            opened_at INTEGER NOT NULL,
            closed_at INTEGER,
            max_choices INTEGER NOT NULL DEFAULT 1,
            closes_at INTEGER,
            UNIQUE (session_id, client_command_id));
        CREATE INDEX IF NOT EXISTS rounds_by_session ON vote_rounds (session_id, opened_at);
        CREATE TABLE IF NOT EXISTS votes (
            round_id TEXT NOT NULL,
            voter_id TEXT NOT NULL,
            option_id TEXT NOT NULL,
            client_vote_id TEXT NOT NULL,
            cast_at INTEGER NOT NULL,
            PRIMARY KEY (round_id, voter_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS stream_keys (
            session_id TEXT PRIMARY KEY,
            stream_key TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS broadcasts (
            session_id TEXT NOT NULL,
            broadcast_id TEXT NOT NULL,
            playlist TEXT,
            seconds REAL NOT NULL DEFAULT 0,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            PRIMARY KEY (session_id, broadcast_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS livekit_stages (
            session_id TEXT PRIMARY KEY,
            room TEXT NOT NULL,
            ingress_id TEXT NOT NULL,
            ingress_url TEXT NOT NULL,
            ingress_key TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS livekit_broadcasts (
            session_id TEXT NOT NULL,
            broadcast_id TEXT NOT NULL,
            room TEXT NOT NULL,
            egress_id TEXT,
            PRIMARY KEY (session_id, broadcast_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS markers (
            session_id TEXT NOT NULL,
            client_marker_id TEXT NOT NULL,
            title TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (session_id, client_marker_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS replay_edits (
            session_id TEXT NOT NULL,
            broadcast_id TEXT NOT NULL,
            original_playlist TEXT NOT NULL,
            original_seconds REAL NOT NULL,
            offset_seconds REAL NOT NULL,
            trim_start REAL NOT NULL,
            trim_end REAL,
            hidden INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (session_id, broadcast_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS webhooks_seen (
            webhook_id TEXT PRIMARY KEY,
            received_at INTEGER NOT NULL) WITHOUT ROWID;
        """;

    public Task<SessionSettings> GetSessionAsync(string sessionId) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, "SELECT status, slow_mode_seconds, pinned_message_id FROM live_sessions WHERE session_id = $s", ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            if (!await r.ReadAsync().ConfigureAwait(false))
            {
                return new SessionSettings(SessionStatus.Scheduled, 0, null);
            }
            return new SessionSettings(Enum.Parse<SessionStatus>(r.GetString(0)), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetInt64(2));
        });

    public Task SetSessionStatusAsync(string sessionId, SessionStatus status, long atMs) =>
        UpsertSessionAsync(sessionId, "status = $v, status_changed_at = $at", ("$v", status.ToString()), ("$at", atMs));

    public Task SetSlowModeAsync(string sessionId, int seconds) =>
        UpsertSessionAsync(sessionId, "slow_mode_seconds = $v", ("$v", seconds));

    public Task SetPinnedAsync(string sessionId, long? messageId) =>
        UpsertSessionAsync(sessionId, "pinned_message_id = $v", ("$v", messageId));

    private Task UpsertSessionAsync(string sessionId, string assignments, params (string, object?)[] values) =>
        WriteAsync(async (c, tx) =>
        {
            await EnsureSessionRowAsync(c, tx, sessionId).ConfigureAwait(false);
            var args = values.Append(("$s", sessionId)).ToArray();
            await using var cmd = Command(c, tx, $"UPDATE live_sessions SET {assignments} WHERE session_id = $s", args);
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    private static async Task EnsureSessionRowAsync(SqliteConnection c, SqliteTransaction tx, string sessionId)
    {
        await using var cmd = Command(c, tx, "INSERT INTO live_sessions (session_id) VALUES ($s) ON CONFLICT (session_id) DO NOTHING", ("$s", sessionId));
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public Task<SessionCounters> RecordPresenceAsync(string sessionId, IReadOnlyCollection<string> viewerKeys, long newViews, long newReplayViews, long peakCandidate, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await EnsureSessionRowAsync(c, tx, sessionId).ConfigureAwait(false);
            var added = 0;
            if (viewerKeys.Count > 0)
            {
                await using var insert = Command(c, tx, "INSERT INTO session_viewers (session_id, viewer_key, first_seen) VALUES ($s, $k, $t) ON CONFLICT DO NOTHING", ("$s", sessionId), ("$k", ""), ("$t", atMs));
                foreach (var key in viewerKeys)
                {
                    insert.Parameters["$k"].Value = key;
                    added += await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
            await using var update = Command(c, tx, """
                UPDATE live_sessions
                SET unique_viewers = unique_viewers + $added, total_views = total_views + $views, peak_viewers = MAX(peak_viewers, $peak),
                    replay_views = replay_views + $replays
                WHERE session_id = $s
                RETURNING unique_viewers, total_views, peak_viewers, replay_views
                """, ("$s", sessionId), ("$added", added), ("$views", newViews), ("$peak", peakCandidate), ("$replays", newReplayViews));
            await using var r = await update.ExecuteReaderAsync().ConfigureAwait(false);
            await r.ReadAsync().ConfigureAwait(false);
            return StoreRows.Counters(r);
        });

    public Task<SessionCounters> GetCountersAsync(string sessionId) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, "SELECT unique_viewers, total_views, peak_viewers, replay_views FROM live_sessions WHERE session_id = $s", ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await r.ReadAsync().ConfigureAwait(false) ? StoreRows.Counters(r) : new SessionCounters(0, 0, 0);
        });

    public Task<IReadOnlyList<ChatAppend>> AppendChatAsync(IReadOnlyList<ChatDraft> drafts) =>
        WriteAsync<IReadOnlyList<ChatAppend>>(async (c, tx) =>
        {
            var results = new List<ChatAppend>(drafts.Count);
            await using var insert = Command(c, tx, """
                INSERT INTO chat_messages (session_id, author_id, author_name, body, client_message_id, sent_at, author_badge)
                VALUES ($s, $a, $n, $b, $k, $t, $g)
                ON CONFLICT (session_id, author_id, client_message_id) DO NOTHING
                RETURNING id
                """, ("$s", ""), ("$a", ""), ("$n", ""), ("$b", ""), ("$k", ""), ("$t", 0L), ("$g", ""));
            await using var existing = Command(c, tx, """
                SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
                WHERE session_id = $s AND author_id = $a AND client_message_id = $k
                """, ("$s", ""), ("$a", ""), ("$k", ""));
            foreach (var d in drafts)
            {
                insert.Parameters["$s"].Value = d.SessionId;
                insert.Parameters["$a"].Value = d.AuthorId;
                insert.Parameters["$n"].Value = d.AuthorName;
                insert.Parameters["$b"].Value = d.Text;
                insert.Parameters["$k"].Value = d.ClientMessageId;
                insert.Parameters["$t"].Value = d.SentAtMs;
                insert.Parameters["$g"].Value = (object?)d.Badge ?? DBNull.Value;
                var id = await insert.ExecuteScalarAsync().ConfigureAwait(false);
                if (id is long newId)
                {
                    results.Add(new ChatAppend(new ChatMessage(newId, d.SessionId, d.AuthorId, d.AuthorName, d.Text, d.SentAtMs, d.Badge), false));
                    continue;
                }
                existing.Parameters["$s"].Value = d.SessionId;
                existing.Parameters["$a"].Value = d.AuthorId;
                existing.Parameters["$k"].Value = d.ClientMessageId;
                await using var r = await existing.ExecuteReaderAsync().ConfigureAwait(false);
                await r.ReadAsync().ConfigureAwait(false);
                results.Add(new ChatAppend(StoreRows.Message(r), true));
            }
            return results;
        });

    public Task<IReadOnlyList<ChatMessage>> GetRecentChatAsync(string sessionId, int limit) =>
        QueryMessagesAsync("""
            SELECT * FROM (
                SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
                WHERE session_id = $s AND deleted_at IS NULL ORDER BY id DESC LIMIT $l)
            ORDER BY id
            """, ("$s", sessionId), ("$l", limit));

    public Task<IReadOnlyList<ChatMessage>> GetChatAfterAsync(string sessionId, long afterId, int limit) =>
        QueryMessagesAsync("""
            SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
            WHERE session_id = $s AND id > $after AND deleted_at IS NULL ORDER BY id LIMIT $l
            """, ("$s", sessionId), ("$after", afterId), ("$l", limit));

    public Task<IReadOnlyList<ChatMessage>> GetChatBetweenAsync(string sessionId, long fromMs, long toMs, int limit) =>
        QueryMessagesAsync("""
            SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
            WHERE session_id = $s AND sent_at >= $from AND sent_at <= $to AND deleted_at IS NULL ORDER BY id LIMIT $l
            """, ("$s", sessionId), ("$from", fromMs), ("$to", toMs), ("$l", limit));

    public async Task<ChatMessage?> GetChatMessageAsync(string sessionId, long messageId)
    {
        var found = await QueryMessagesAsync("""
            SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
            WHERE session_id = $s AND id = $id AND deleted_at IS NULL
            """, ("$s", sessionId), ("$id", messageId)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    private Task<IReadOnlyList<ChatMessage>> QueryMessagesAsync(string sql, params (string, object?)[] args) =>
        ReadAsync<IReadOnlyList<ChatMessage>>(async c =>
        {
            await using var cmd = Command(c, null, sql, args);
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, StoreRows.Message).ConfigureAwait(false);
        });

    public Task<bool> DeleteChatAsync(string sessionId, long messageId, string deletedBy, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, "UPDATE chat_messages SET deleted_at = $t, deleted_by = $by WHERE session_id = $s AND id = $id AND deleted_at IS NULL",
                ("$t", atMs), ("$by", deletedBy), ("$s", sessionId), ("$id", messageId));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        });

    public Task SetSanctionAsync(Sanction sanction, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO sanctions (session_id, user_id, kind, until_ms, set_by, set_at) VALUES ($s, $u, $k, $until, $by, $at)
                ON CONFLICT (session_id, user_id, kind) DO UPDATE SET until_ms = excluded.until_ms, set_by = excluded.set_by, set_at = excluded.set_at
                """, ("$s", sanction.SessionId), ("$u", sanction.UserId), ("$k", sanction.Kind.ToString()), ("$until", sanction.UntilMs), ("$by", sanction.SetBy), ("$at", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task RemoveSanctionAsync(string sessionId, string userId, SanctionKind kind) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, "DELETE FROM sanctions WHERE session_id = $s AND user_id = $u AND kind = $k", ("$s", sessionId), ("$u", userId), ("$k", kind.ToString()));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task<IReadOnlyList<Sanction>> GetSanctionsAsync(string sessionId) =>
        ReadAsync<IReadOnlyList<Sanction>>(async c =>
        {
            await using var cmd = Command(c, null, "SELECT user_id, kind, until_ms, set_by FROM sanctions WHERE session_id = $s", ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, row => StoreRows.Sanction(sessionId, row)).ConfigureAwait(false);
        });

    public Task<IReadOnlyDictionary<string, long>> AddReactionsAsync(string sessionId, IReadOnlyDictionary<string, long> deltas) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO reactions (session_id, kind, count) VALUES ($s, $k, $d)
                ON CONFLICT (session_id, kind) DO UPDATE SET count = count + excluded.count
                """, ("$s", sessionId), ("$k", ""), ("$d", 0L));
            foreach (var (kind, delta) in deltas)
            {
                cmd.Parameters["$k"].Value = kind;
                cmd.Parameters["$d"].Value = delta;
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            return await ReadReactionsAsync(c, tx, sessionId).ConfigureAwait(false);
        });

    public Task<IReadOnlyDictionary<string, long>> GetReactionsAsync(string sessionId) =>
        ReadAsync(c => ReadReactionsAsync(c, null, sessionId));

    private static async Task<IReadOnlyDictionary<string, long>> ReadReactionsAsync(SqliteConnection c, SqliteTransaction? tx, string sessionId)
    {
        await using var cmd = Command(c, tx, "SELECT kind, count FROM reactions WHERE session_id = $s", ("$s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await r.ReadAsync().ConfigureAwait(false))
        {
            totals[r.GetString(0)] = r.GetInt64(1);
        }
        return totals;
    }

    public Task<RoundRecord> CreateRoundAsync(RoundDraft draft) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var insert = Command(c, tx, """
                INSERT INTO vote_rounds (round_id, session_id, question, options_json, show_tally, eligibility, status, opened_by, client_command_id, opened_at, max_choices, closes_at)
                VALUES ($r, $s, $q, $o, $show, $e, 'Open', $by, $k, $t, $n, $until)
                ON CONFLICT (session_id, client_command_id) DO NOTHING
                """, ("$r", draft.RoundId), ("$s", draft.SessionId), ("$q", draft.Question), ("$o", JsonSerializer.Serialize(draft.Options)),
                ("$show", draft.ShowTally ? 1 : 0), ("$e", draft.Eligibility.ToString()), ("$by", draft.OpenedBy), ("$k", draft.ClientCommandId), ("$t", draft.OpenedAtMs),
                ("$n", draft.MaxChoices), ("$until", draft.ClosesAtMs)))
            {
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            var rounds = await QueryRoundsAsync(c, tx, "WHERE session_id = $s AND client_command_id = $k", ("$s", draft.SessionId), ("$k", draft.ClientCommandId)).ConfigureAwait(false);
            return rounds[0];
        });

    public async Task<RoundRecord?> GetRoundAsync(string roundId)
    {
        var rounds = await ReadAsync(c => QueryRoundsAsync(c, null, "WHERE round_id = $r", ("$r", roundId))).ConfigureAwait(false);
        return rounds.Count == 0 ? null : rounds[0];
    }

    public Task<IReadOnlyList<RoundRecord>> GetRoundsAsync(string sessionId) =>
        ReadAsync(c => QueryRoundsAsync(c, null, "WHERE session_id = $s ORDER BY opened_at, round_id", ("$s", sessionId)));

    public Task<RoundRecord> CloseRoundAsync(string roundId, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var cmd = Command(c, tx, "UPDATE vote_rounds SET status = 'Closed', closed_at = $t WHERE round_id = $r AND status = 'Open'", ("$t", atMs), ("$r", roundId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            var rounds = await QueryRoundsAsync(c, tx, "WHERE round_id = $r", ("$r", roundId)).ConfigureAwait(false);
            return rounds.Count == 1 ? rounds[0] : throw new InvalidOperationException($"Round '{roundId}' does not exist.");
        });

    private static async Task<IReadOnlyList<RoundRecord>> QueryRoundsAsync(SqliteConnection c, SqliteTransaction? tx, string where, params (string, object?)[] args)
    {
        await using var cmd = Command(c, tx, $"SELECT {StoreRows.RoundColumns} FROM vote_rounds {where}", args);
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Round).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<VoteOutcome>> CastVotesAsync(IReadOnlyList<VoteDraft> votes) =>
        WriteAsync<IReadOnlyList<VoteOutcome>>(async (c, tx) =>
        {
            var outcomes = new List<VoteOutcome>(votes.Count);
            await using var insert = Command(c, tx, """
                INSERT INTO votes (round_id, voter_id, option_id, client_vote_id, cast_at)
                SELECT $r, $v, $o, $k, $t WHERE EXISTS (SELECT 1 FROM vote_rounds WHERE round_id = $r AND status = 'Open')
                ON CONFLICT (round_id, voter_id) DO NOTHING
                """, ("$r", ""), ("$v", ""), ("$o", ""), ("$k", ""), ("$t", 0L));
            await using var existing = Command(c, tx, "SELECT option_id, client_vote_id FROM votes WHERE round_id = $r AND voter_id = $v", ("$r", ""), ("$v", ""));
            foreach (var v in votes)
            {
                insert.Parameters["$r"].Value = v.RoundId;
                insert.Parameters["$v"].Value = v.VoterId;
                insert.Parameters["$o"].Value = v.OptionId;
                insert.Parameters["$k"].Value = v.ClientVoteId;
                insert.Parameters["$t"].Value = v.CastAtMs;
                if (await insert.ExecuteNonQueryAsync().ConfigureAwait(false) == 1)
                {
                    outcomes.Add(new VoteOutcome(true, v.OptionId, v.ClientVoteId));
                    continue;
                }
                existing.Parameters["$r"].Value = v.RoundId;
                existing.Parameters["$v"].Value = v.VoterId;
                await using var r = await existing.ExecuteReaderAsync().ConfigureAwait(false);
                outcomes.Add(await r.ReadAsync().ConfigureAwait(false)
                    ? new VoteOutcome(false, r.GetString(0), r.GetString(1))
                    : new VoteOutcome(false, v.OptionId, v.ClientVoteId, RoundClosed: true));
            }
            return outcomes;
        });

    public Task<RoundTally> GetTallyAsync(string roundId) =>
        ReadAsync<RoundTally>(async c =>
        {
            await using var cmd = Command(c, null, "SELECT option_id, COUNT(*) FROM votes WHERE round_id = $r AND voided_at IS NULL GROUP BY option_id", ("$r", roundId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            var tally = new Dictionary<string, long>(StringComparer.Ordinal);
            long ballots = 0;
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                ballots += r.GetInt64(1);
                StoreRows.AddBallots(tally, r.GetString(0), r.GetInt64(1));
            }
            return new RoundTally(ballots, tally);
        });

    // ---- streams --------------------------------------------------------------------------

    public Task<string?> GetStreamKeyAsync(string sessionId) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, "SELECT stream_key FROM stream_keys WHERE session_id = $s", ("$s", sessionId));
            return await cmd.ExecuteScalarAsync().ConfigureAwait(false) as string;
        });

    public Task SetStreamKeyAsync(string sessionId, string streamKey, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO stream_keys (session_id, stream_key, created_at) VALUES ($s, $k, $t)
                ON CONFLICT (session_id) DO UPDATE SET stream_key = excluded.stream_key, created_at = excluded.created_at
                """, ("$s", sessionId), ("$k", streamKey), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task StartBroadcastAsync(string sessionId, string broadcastId, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, "INSERT INTO broadcasts (session_id, broadcast_id, started_at) VALUES ($s, $b, $t) ON CONFLICT DO NOTHING",
                ("$s", sessionId), ("$b", broadcastId), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task UpdateBroadcastAsync(string sessionId, string broadcastId, string playlist, double seconds, bool ended, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                UPDATE broadcasts SET playlist = $p, seconds = $d, ended_at = CASE WHEN $e THEN COALESCE(ended_at, $t) ELSE ended_at END
                WHERE session_id = $s AND broadcast_id = $b
                """, ("$s", sessionId), ("$b", broadcastId), ("$p", playlist), ("$d", seconds), ("$e", ended), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task<IReadOnlyList<BroadcastRecord>> GetBroadcastsAsync(string sessionId) =>
        ReadAsync<IReadOnlyList<BroadcastRecord>>(async c =>
        {
            await using var cmd = Command(c, null, $"SELECT {StoreRows.BroadcastColumns} FROM {StoreRows.BroadcastsJoined} WHERE b.session_id = $s ORDER BY b.started_at, b.broadcast_id", ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, StoreRows.Broadcast).ConfigureAwait(false);
        });

    public Task<IReadOnlyList<BroadcastRecord>> GetReplaysAsync(int limit) =>
        ReadAsync<IReadOnlyList<BroadcastRecord>>(async c =>
        {
            await using var cmd = Command(c, null, $"SELECT {StoreRows.BroadcastColumns} FROM {StoreRows.BroadcastsJoined} WHERE b.ended_at IS NOT NULL AND b.playlist IS NOT NULL AND COALESCE(e.hidden, 0) = 0 ORDER BY b.ended_at DESC, b.session_id LIMIT $l", ("$l", limit));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, StoreRows.Broadcast).ConfigureAwait(false);
        });

    public Task EndBroadcastAsync(string sessionId, string broadcastId, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, "UPDATE broadcasts SET ended_at = COALESCE(ended_at, $t) WHERE session_id = $s AND broadcast_id = $b",
                ("$s", sessionId), ("$b", broadcastId), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task<LiveKitStageRecord?> GetLiveKitStageAsync(string sessionId) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, "SELECT session_id, room, ingress_id, ingress_url, ingress_key, created_at FROM livekit_stages WHERE session_id = $s", ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await r.ReadAsync().ConfigureAwait(false) ? StoreRows.Stage(r) : null;
        });

    public Task<IReadOnlyList<string>> GetLiveKitStageSessionsAsync() =>
        ReadAsync<IReadOnlyList<string>>(async c =>
        {
            await using var cmd = Command(c, null, "SELECT session_id FROM livekit_stages ORDER BY session_id");
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, row => row.GetString(0)).ConfigureAwait(false);
        });

    public Task SetLiveKitStageAsync(LiveKitStageRecord stage) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO livekit_stages (session_id, room, ingress_id, ingress_url, ingress_key, created_at) VALUES ($s, $r, $i, $u, $k, $t)
                ON CONFLICT (session_id) DO UPDATE SET room = excluded.room, ingress_id = excluded.ingress_id, ingress_url = excluded.ingress_url,
                    ingress_key = excluded.ingress_key, created_at = excluded.created_at
                """, ("$s", stage.SessionId), ("$r", stage.Room), ("$i", stage.IngressId), ("$u", stage.IngressUrl), ("$k", stage.IngressKey), ("$t", stage.CreatedAt));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task SetLiveKitBroadcastAsync(string sessionId, string broadcastId, string room, string? egressId) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO livekit_broadcasts (session_id, broadcast_id, room, egress_id) VALUES ($s, $b, $r, $e)
                ON CONFLICT (session_id, broadcast_id) DO UPDATE SET egress_id = COALESCE(excluded.egress_id, livekit_broadcasts.egress_id)
                """, ("$s", sessionId), ("$b", broadcastId), ("$r", room), ("$e", egressId));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task<IReadOnlyList<LiveKitBroadcastRecord>> GetOpenLiveKitBroadcastsAsync(string? sessionId) =>
        ReadAsync<IReadOnlyList<LiveKitBroadcastRecord>>(async c =>
        {
            await using var cmd = Command(c, null, """
                SELECT l.session_id, l.broadcast_id, l.room, l.egress_id FROM livekit_broadcasts l
                JOIN broadcasts b ON b.session_id = l.session_id AND b.broadcast_id = l.broadcast_id
                WHERE b.ended_at IS NULL AND ($s IS NULL OR l.session_id = $s) ORDER BY b.started_at, l.session_id
                """, ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, StoreRows.LiveKitBroadcast).ConfigureAwait(false);
        });

    public Task<bool> RecordWebhookAsync(string webhookId, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, "INSERT INTO webhooks_seen (webhook_id, received_at) VALUES ($w, $t) ON CONFLICT DO NOTHING", ("$w", webhookId), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        });

    public Task<MarkerRecord> AddMarkerAsync(string sessionId, string title, string clientMarkerId, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var insert = Command(c, tx, "INSERT INTO markers (session_id, client_marker_id, title, at) VALUES ($s, $c, $t, $a) ON CONFLICT DO NOTHING",
                ("$s", sessionId), ("$c", clientMarkerId), ("$t", title), ("$a", atMs)))
            {
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using var read = Command(c, tx, "SELECT session_id, title, client_marker_id, at FROM markers WHERE session_id = $s AND client_marker_id = $c", ("$s", sessionId), ("$c", clientMarkerId));
            await using var r = await read.ExecuteReaderAsync().ConfigureAwait(false);
            await r.ReadAsync().ConfigureAwait(false);
            return StoreRows.Marker(r);
        });

    public Task<IReadOnlyList<MarkerRecord>> GetMarkersAsync(string sessionId) =>
        ReadAsync<IReadOnlyList<MarkerRecord>>(async c =>
        {
            await using var cmd = Command(c, null, "SELECT session_id, title, client_marker_id, at FROM markers WHERE session_id = $s ORDER BY at, client_marker_id", ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, StoreRows.Marker).ConfigureAwait(false);
        });

    public Task SetReplayEditAsync(ReplayEditRecord edit, string playlist, double seconds, bool newOriginal = false) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var upsert = Command(c, tx, $"""
                INSERT INTO replay_edits ({StoreRows.ReplayEditColumns}) VALUES ($s, $b, $op, $os, $off, $ts, $te, $h, $u)
                ON CONFLICT (session_id, broadcast_id) DO UPDATE SET offset_seconds = excluded.offset_seconds, trim_start = excluded.trim_start,
                    trim_end = excluded.trim_end, hidden = excluded.hidden, updated_at = excluded.updated_at
                    {(newOriginal ? ", original_playlist = excluded.original_playlist, original_seconds = excluded.original_seconds" : "")}
                """, ("$s", edit.SessionId), ("$b", edit.BroadcastId), ("$op", edit.OriginalPlaylist), ("$os", edit.OriginalSeconds), ("$off", edit.OffsetSeconds),
                ("$ts", edit.TrimStart), ("$te", edit.TrimEnd), ("$h", edit.Hidden ? 1 : 0), ("$u", edit.UpdatedAt)))
            {
                await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using var update = Command(c, tx, "UPDATE broadcasts SET playlist = $p, seconds = $d WHERE session_id = $s AND broadcast_id = $b AND ended_at IS NOT NULL",
                ("$s", edit.SessionId), ("$b", edit.BroadcastId), ("$p", playlist), ("$d", seconds));
            return await update.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task<IReadOnlyList<ReplayEditRecord>> GetReplayEditsAsync(string? sessionId) =>
        ReadAsync<IReadOnlyList<ReplayEditRecord>>(async c =>
        {
            await using var cmd = Command(c, null, $"SELECT {StoreRows.ReplayEditColumns} FROM replay_edits WHERE $s IS NULL OR session_id = $s ORDER BY session_id, broadcast_id", ("$s", sessionId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, StoreRows.ReplayEdit).ConfigureAwait(false);
        });

    public Task<bool> WebhookSeenAsync(string webhookId) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, "SELECT 1 FROM webhooks_seen WHERE webhook_id = $w", ("$w", webhookId));
            return await cmd.ExecuteScalarAsync().ConfigureAwait(false) is not null;
        });

    public Task<IReadOnlyList<StoredVote>> GetVotesAsync(string roundId) =>
        ReadAsync<IReadOnlyList<StoredVote>>(async c =>
        {
            await using var cmd = Command(c, null, "SELECT voter_id, option_id, client_vote_id FROM votes WHERE round_id = $r AND voided_at IS NULL", ("$r", roundId));
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            return await StoreRows.ListAsync(r, StoreRows.Vote).ConfigureAwait(false);
        });

    // ---- a member's own data ----------------------------------------------------------------

    public Task<MemberData> GetMemberDataAsync(string userId) =>
        ReadAsync(async c =>
        {
            IReadOnlyList<MemberChat> chat;
            await using (var cmd = Command(c, null, "SELECT id, session_id, body, sent_at, deleted_at IS NOT NULL FROM chat_messages WHERE author_id = $u ORDER BY id", ("$u", userId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                chat = await StoreRows.ListAsync(r, StoreRows.MemberChat).ConfigureAwait(false);
            }
            IReadOnlyList<MemberVote> votes;
            await using (var cmd = Command(c, null, """
                SELECT v.round_id, r.session_id, r.question, v.option_id, v.cast_at FROM votes v JOIN vote_rounds r ON r.round_id = v.round_id
                WHERE v.voter_id = $u ORDER BY v.cast_at
                """, ("$u", userId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                votes = await StoreRows.ListAsync(r, StoreRows.MemberVote).ConfigureAwait(false);
            }
            IReadOnlyList<MemberSanction> sanctions;
            await using (var cmd = Command(c, null, "SELECT session_id, kind, until_ms, set_at FROM sanctions WHERE user_id = $u ORDER BY set_at", ("$u", userId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                sanctions = await StoreRows.ListAsync(r, StoreRows.MemberSanction).ConfigureAwait(false);
            }
            IReadOnlyList<MemberView> viewed;
            await using (var cmd = Command(c, null, "SELECT session_id, first_seen FROM session_viewers WHERE viewer_key = $k ORDER BY first_seen", ("$k", "u:" + userId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                viewed = await StoreRows.ListAsync(r, StoreRows.MemberView).ConfigureAwait(false);
            }
            var tickets = new List<Fair.QueueTicket>();
            await using (var cmd = Command(c, null, $"SELECT {QueueSql.TicketColumns} FROM booth_queue_tickets WHERE user_id = $u ORDER BY joined_at, company", ("$u", userId)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    tickets.Add(QueueSql.ReadTicket(r));
                }
            }
            return new MemberData(chat, votes, sanctions, viewed, tickets);
        });

    public Task ForgetMemberAsync(string userId, string anonymousId) =>
        WriteAsync(async (c, tx) =>
        {
            foreach (var (sql, args) in new (string, (string, object?)[])[]
            {
                ("UPDATE chat_messages SET author_id = $a, author_name = '' WHERE author_id = $u", [("$a", anonymousId), ("$u", userId)]),
                ("UPDATE votes SET voter_id = $a WHERE voter_id = $u", [("$a", anonymousId), ("$u", userId)]),
                ("DELETE FROM sanctions WHERE user_id = $u", [("$u", userId)]),
                ("UPDATE session_viewers SET viewer_key = $a WHERE viewer_key = $u", [("$a", "x:" + anonymousId), ("$u", "u:" + userId)]),
                (QueueSql.ForgetQueueTickets.Replace("@", "$"), [("$a", anonymousId), ("$u", userId)]),
                (QueueSql.ForgetQueueCalls.Replace("@", "$"), [("$a", anonymousId), ("$u", userId)]),
            })
            {
                await using var cmd = Command(c, tx, sql, args);
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            return 0;
        });

    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!writes.TryAdd(() => Run(work, done)))
        {
            done.SetException(new InvalidOperationException("The store's write queue is full or closed."));
        }
        return done.Task;
    }

    /// <summary>One write transaction, on the writer thread. The work's awaits complete synchronously here.</summary>
    private void Run<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, TaskCompletionSource<T> done)
    {
        try
        {
            if (writer is null)
            {
                var connection = new SqliteConnection(connectionString);
                connection.Open();
                ExecAsync(connection, null, "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").GetAwaiter().GetResult();
                writer = connection;
            }
            using var tx = writer.BeginTransaction();
            try
            {
                var result = work(writer, tx).GetAwaiter().GetResult();
                tx.Commit();
                done.SetResult(result);
            }
            catch
            {
                // A broken connection is reopened on the next write.
                try
                {
                    tx.Rollback();
                }
                catch (Exception)
                {
                    writer.Dispose();
                    writer = null;
                }
                throw;
            }
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await ExecAsync(connection, null, "PRAGMA busy_timeout = 5000;").ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }

    private static async Task ExecAsync(SqliteConnection c, SqliteTransaction? tx, string sql)
    {
        await using var cmd = Command(c, tx, sql);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    private int disposed;

    /// <summary>Idempotent: the container disposes the store once per interface it is registered under.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return ValueTask.CompletedTask;
        }
        writes.CompleteAdding();
        writerThread.Join();
        writes.Dispose();
        return ValueTask.CompletedTask;
    }
}
