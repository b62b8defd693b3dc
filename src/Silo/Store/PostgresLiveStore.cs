using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Events.Silo.Store;

/// <summary>
/// The scaled-out store: one PostgreSQL database shared by every node, with the same tables and
/// the same answers as <see cref="SqliteLiveStore"/>. Unlike SQLite, several nodes write at once,
/// so batch methods send their rows as arrays (one set-based statement per batch instead of a
/// round trip per row) in one transaction, and look up the rows that already existed in a second
/// statement, whose fresh READ COMMITTED snapshot sees a conflicting row that another node
/// committed while the insert waited for it. What SQLite's single writer gives for free is taken
/// with locks held to commit: chat appends lock their sessions (ids then grow in commit order),
/// votes share-lock their open rounds (a close waits for them), and rows are written in key order
/// so overlapping batches queue instead of deadlocking. Errors, including lost connections, are
/// thrown as they come: the grains answer "try again".
/// </summary>
public sealed partial class PostgresLiveStore : ILiveStore, IAsyncDisposable
{
    // Any fixed number works as long as every node uses the same one: it makes nodes that start at
    // once create the schema one after the other, since concurrent CREATE ... IF NOT EXISTS can fail.
    private const long SchemaLockKey = 0x4576_4C69_7665_5331;

    private readonly NpgsqlDataSource dataSource;

    /// <summary>
    /// How long one command may take unless the connection string says otherwise ("Command Timeout").
    /// A database that stops answering then fails commands (answered "try again", and a tick's
    /// read is retried on the next tick) instead of holding a session's grain for Npgsql's 30 s.
    /// </summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    public PostgresLiveStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        // NpgsqlConnectionStringBuilder reports every keyword it knows as present: look at what was written.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written.ContainsKey("Command Timeout") && !written.ContainsKey("CommandTimeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }
        dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS live_sessions (
            session_id text PRIMARY KEY,
            status text NOT NULL DEFAULT 'Scheduled',
            status_changed_at bigint,
            slow_mode_seconds integer NOT NULL DEFAULT 0,
            pinned_message_id bigint,
            unique_viewers bigint NOT NULL DEFAULT 0,
            total_views bigint NOT NULL DEFAULT 0,
            peak_viewers bigint NOT NULL DEFAULT 0);
        ALTER TABLE live_sessions ADD COLUMN IF NOT EXISTS replay_views bigint NOT NULL DEFAULT 0;
        CREATE TABLE IF NOT EXISTS session_viewers (
            session_id text NOT NULL,
            viewer_key text NOT NULL,
            first_seen bigint NOT NULL,
            PRIMARY KEY (session_id, viewer_key));
        CREATE TABLE IF NOT EXISTS chat_messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            session_id text NOT NULL,
            author_id text NOT NULL,
            author_name text NOT NULL,
            body text NOT NULL,
            client_message_id text NOT NULL,
            sent_at bigint NOT NULL,
            deleted_at bigint,
            deleted_by text,
            UNIQUE (session_id, author_id, client_message_id));
        CREATE INDEX IF NOT EXISTS chat_by_session ON chat_messages (session_id, id);
        ALTER TABLE chat_messages ADD COLUMN IF NOT EXISTS author_badge text;
        CREATE TABLE IF NOT EXISTS sanctions (
            session_id text NOT NULL,
            user_id text NOT NULL,
            kind text NOT NULL,
            until_ms bigint,
            set_by text NOT NULL,
            set_at bigint NOT NULL,
            PRIMARY KEY (session_id, user_id, kind));
        CREATE TABLE IF NOT EXISTS reactions (
            session_id text NOT NULL,
            kind text NOT NULL,
            count bigint NOT NULL,
            PRIMARY KEY (session_id, kind));
        CREATE TABLE IF NOT EXISTS vote_rounds (
            round_id text PRIMARY KEY,
            session_id text NOT NULL,
            question text NOT NULL,
            options_json text NOT NULL,
            show_tally boolean NOT NULL,
            eligibility text NOT NULL,
            status text NOT NULL,
            opened_by text NOT NULL,
            client_command_id text NOT NULL,
            opened_at bigint NOT NULL,
            closed_at bigint,
            UNIQUE (session_id, client_command_id));
        CREATE INDEX IF NOT EXISTS rounds_by_session ON vote_rounds (session_id, opened_at);
        ALTER TABLE vote_rounds ADD COLUMN IF NOT EXISTS max_choices integer NOT NULL DEFAULT 1;
        ALTER TABLE vote_rounds ADD COLUMN IF NOT EXISTS closes_at bigint;
        CREATE TABLE IF NOT EXISTS votes (
            round_id text NOT NULL,
            voter_id text NOT NULL,
            option_id text NOT NULL,
            client_vote_id text NOT NULL,
            cast_at bigint NOT NULL,
            PRIMARY KEY (round_id, voter_id));
        ALTER TABLE votes ADD COLUMN IF NOT EXISTS voided_at bigint;
        ALTER TABLE votes ADD COLUMN IF NOT EXISTS voided_by text;
        ALTER TABLE votes ADD COLUMN IF NOT EXISTS void_reason text;
        CREATE TABLE IF NOT EXISTS stream_keys (
            session_id text PRIMARY KEY,
            stream_key text NOT NULL,
            created_at bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS broadcasts (
            session_id text NOT NULL,
            broadcast_id text NOT NULL,
            playlist text,
            seconds double precision NOT NULL DEFAULT 0,
            started_at bigint NOT NULL,
            ended_at bigint,
            PRIMARY KEY (session_id, broadcast_id));
        CREATE TABLE IF NOT EXISTS livekit_stages (
            session_id text PRIMARY KEY,
            room text NOT NULL,
            ingress_id text NOT NULL,
            ingress_url text NOT NULL,
            ingress_key text NOT NULL,
            created_at bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS livekit_broadcasts (
            session_id text NOT NULL,
            broadcast_id text NOT NULL,
            room text NOT NULL,
            egress_id text,
            PRIMARY KEY (session_id, broadcast_id));
        CREATE TABLE IF NOT EXISTS markers (
            session_id text NOT NULL,
            client_marker_id text NOT NULL,
            title text NOT NULL,
            at bigint NOT NULL,
            PRIMARY KEY (session_id, client_marker_id));
        CREATE TABLE IF NOT EXISTS replay_edits (
            session_id text NOT NULL,
            broadcast_id text NOT NULL,
            original_playlist text NOT NULL,
            original_seconds double precision NOT NULL,
            offset_seconds double precision NOT NULL,
            trim_start double precision NOT NULL,
            trim_end double precision,
            hidden bigint NOT NULL,
            updated_at bigint NOT NULL,
            PRIMARY KEY (session_id, broadcast_id));
        CREATE TABLE IF NOT EXISTS webhooks_seen (
            webhook_id text PRIMARY KEY,
            received_at bigint NOT NULL);
        """;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = Command(connection, tx, "SELECT pg_advisory_xact_lock(@k)", P("k", SchemaLockKey)))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var cmd = Command(connection, tx, Schema + JudgingSchema + QueueSchema))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // ---- session settings and presence ----------------------------------------------------

    public async Task<SessionSettings> GetSessionAsync(string sessionId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT status, slow_mode_seconds, pinned_message_id FROM live_sessions WHERE session_id = @s");
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        if (!await r.ReadAsync().ConfigureAwait(false))
        {
            return new SessionSettings(SessionStatus.Scheduled, 0, null);
        }
        return new SessionSettings(Enum.Parse<SessionStatus>(r.GetString(0)), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetInt64(2));
    }

    public Task SetSessionStatusAsync(string sessionId, SessionStatus status, long atMs) =>
        ExecuteAsync("""
            INSERT INTO live_sessions (session_id, status, status_changed_at) VALUES (@s, @v, @at)
            ON CONFLICT (session_id) DO UPDATE SET status = excluded.status, status_changed_at = excluded.status_changed_at
            """, P("s", sessionId), P("v", status.ToString()), P("at", atMs));

    public Task SetSlowModeAsync(string sessionId, int seconds) =>
        ExecuteAsync("""
            INSERT INTO live_sessions (session_id, slow_mode_seconds) VALUES (@s, @v)
            ON CONFLICT (session_id) DO UPDATE SET slow_mode_seconds = excluded.slow_mode_seconds
            """, P("s", sessionId), P("v", seconds));

    public Task SetPinnedAsync(string sessionId, long? messageId) =>
        ExecuteAsync("""
            INSERT INTO live_sessions (session_id, pinned_message_id) VALUES (@s, @v)
            ON CONFLICT (session_id) DO UPDATE SET pinned_message_id = excluded.pinned_message_id
            """, P("s", sessionId), NullableBigint("v", messageId));

    public async Task<SessionCounters> RecordPresenceAsync(string sessionId, IReadOnlyCollection<string> viewerKeys, long newViews, long newReplayViews, long peakCandidate, long atMs)
    {
        // Sorted so that two nodes adding overlapping viewers lock the keys in the same order.
        var keys = viewerKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // One statement, so atomic on its own; a new row starts from zero exactly as an upsert of
        // SQLite's default row would (a negative peak candidate leaves the peak at 0).
        await using var cmd = dataSource.CreateCommand("""
            WITH added AS (
                INSERT INTO session_viewers (session_id, viewer_key, first_seen)
                SELECT @s, k, @t FROM unnest(@keys) WITH ORDINALITY AS u(k, ord) ORDER BY ord
                ON CONFLICT DO NOTHING
                RETURNING 1)
            INSERT INTO live_sessions AS l (session_id, unique_viewers, total_views, peak_viewers, replay_views)
            VALUES (@s, (SELECT count(*) FROM added), @views, GREATEST(@peak, 0), @replays)
            ON CONFLICT (session_id) DO UPDATE SET
                unique_viewers = l.unique_viewers + excluded.unique_viewers,
                total_views = l.total_views + excluded.total_views,
                peak_viewers = GREATEST(l.peak_viewers, excluded.peak_viewers),
                replay_views = l.replay_views + excluded.replay_views
            RETURNING unique_viewers, total_views, peak_viewers, replay_views
            """);
        cmd.Parameters.Add(P("s", sessionId));
        cmd.Parameters.Add(P("t", atMs));
        cmd.Parameters.Add(P("keys", keys));
        cmd.Parameters.Add(P("views", newViews));
        cmd.Parameters.Add(P("peak", peakCandidate));
        cmd.Parameters.Add(P("replays", newReplayViews));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        await r.ReadAsync().ConfigureAwait(false);
        return StoreRows.Counters(r);
    }

    public async Task<SessionCounters> GetCountersAsync(string sessionId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT unique_viewers, total_views, peak_viewers, replay_views FROM live_sessions WHERE session_id = @s");
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await r.ReadAsync().ConfigureAwait(false) ? StoreRows.Counters(r) : new SessionCounters(0, 0, 0);
    }

    // ---- chat -----------------------------------------------------------------------------

    public async Task<IReadOnlyList<ChatAppend>> AppendChatAsync(IReadOnlyList<ChatDraft> drafts)
    {
        if (drafts.Count == 0)
        {
            return [];
        }
        // A repeat within the batch is never sent: it is answered from the first, as SQLite's
        // row-by-row insert would (the first is stored by then, the repeat finds it).
        var firstOf = new Dictionary<(string, string, string), int>();
        var sent = new List<ChatDraft>(drafts.Count);
        for (var i = 0; i < drafts.Count; i++)
        {
            if (firstOf.TryAdd(ChatKey(drafts[i]), i))
            {
                sent.Add(drafts[i]);
            }
        }

        return await InTransactionAsync(async (c, tx) =>
        {
            var insertedIds = new Dictionary<(string, string, string), long>();
            await using (var batch = new NpgsqlBatch(c, tx))
            {
                // Ids come from a sequence when rows are inserted, not when they commit: holding a
                // per-session lock until commit keeps another node from committing a smaller id
                // after this batch's larger one has been read. Locks are taken in hash order so
                // batches that span sessions cannot deadlock.
                batch.BatchCommands.Add(BatchCommand("""
                    SELECT pg_advisory_xact_lock(h) FROM (
                        SELECT DISTINCT hashtextextended('events.chat:' || s, 0) AS h FROM unnest(@sessions) AS s ORDER BY h) AS locks
                    """, P("sessions", sent.Select(d => d.SessionId).Distinct(StringComparer.Ordinal).ToArray())));
                // ORDER BY ord makes the identity values follow the input order.
                batch.BatchCommands.Add(BatchCommand("""
                    INSERT INTO chat_messages (session_id, author_id, author_name, body, client_message_id, sent_at, author_badge)
                    SELECT s, a, n, b, k, t, g FROM unnest(@s, @a, @n, @b, @k, @t, @g) WITH ORDINALITY AS d(s, a, n, b, k, t, g, ord) ORDER BY ord
                    ON CONFLICT (session_id, author_id, client_message_id) DO NOTHING
                    RETURNING id, session_id, author_id, client_message_id
                    """,
                    P("s", sent.Select(d => d.SessionId).ToArray()),
                    P("a", sent.Select(d => d.AuthorId).ToArray()),
                    P("n", sent.Select(d => d.AuthorName).ToArray()),
                    P("b", sent.Select(d => d.Text).ToArray()),
                    P("k", sent.Select(d => d.ClientMessageId).ToArray()),
                    P("t", sent.Select(d => d.SentAtMs).ToArray()),
                    P("g", sent.Select(d => d.Badge).ToArray())));
                await using var r = await batch.ExecuteReaderAsync().ConfigureAwait(false);
                await r.NextResultAsync().ConfigureAwait(false);
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    insertedIds[(r.GetString(1), r.GetString(2), r.GetString(3))] = r.GetInt64(0);
                }
            }

            var existing = new Dictionary<(string, string, string), ChatMessage>();
            var missing = sent.Where(d => !insertedIds.ContainsKey(ChatKey(d))).ToList();
            if (missing.Count > 0)
            {
                await using var cmd = Command(c, tx, """
                    SELECT m.id, m.session_id, m.author_id, m.author_name, m.body, m.sent_at, m.author_badge, m.client_message_id
                    FROM chat_messages m JOIN unnest(@s, @a, @k) AS d(s, a, k)
                      ON m.session_id = d.s AND m.author_id = d.a AND m.client_message_id = d.k
                    """,
                    P("s", missing.Select(d => d.SessionId).ToArray()),
                    P("a", missing.Select(d => d.AuthorId).ToArray()),
                    P("k", missing.Select(d => d.ClientMessageId).ToArray()));
                await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    existing[(r.GetString(1), r.GetString(2), r.GetString(7))] = StoreRows.Message(r);
                }
            }

            var results = new List<ChatAppend>(drafts.Count);
            for (var i = 0; i < drafts.Count; i++)
            {
                var d = drafts[i];
                var key = ChatKey(d);
                if (insertedIds.TryGetValue(key, out var id))
                {
                    var first = drafts[firstOf[key]];
                    results.Add(new ChatAppend(new ChatMessage(id, first.SessionId, first.AuthorId, first.AuthorName, first.Text, first.SentAtMs, first.Badge), firstOf[key] != i));
                }
                else if (existing.TryGetValue(key, out var stored))
                {
                    results.Add(new ChatAppend(stored, true));
                }
                else
                {
                    // Neither inserted nor found: the database answered something this code does not expect.
                    throw new InvalidOperationException($"Chat message '{d.ClientMessageId}' by '{d.AuthorId}' in session '{d.SessionId}' was neither stored nor found.");
                }
            }
            return (IReadOnlyList<ChatAppend>)results;
        }).ConfigureAwait(false);
    }

    private static (string, string, string) ChatKey(ChatDraft d) => (d.SessionId, d.AuthorId, d.ClientMessageId);

    public Task<IReadOnlyList<ChatMessage>> GetRecentChatAsync(string sessionId, int limit) =>
        QueryMessagesAsync("""
            SELECT * FROM (
                SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
                WHERE session_id = @s AND deleted_at IS NULL ORDER BY id DESC LIMIT @l) AS newest
            ORDER BY id
            """, P("s", sessionId), Limit(limit));

    public Task<IReadOnlyList<ChatMessage>> GetChatAfterAsync(string sessionId, long afterId, int limit) =>
        QueryMessagesAsync("""
            SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
            WHERE session_id = @s AND id > @after AND deleted_at IS NULL ORDER BY id LIMIT @l
            """, P("s", sessionId), P("after", afterId), Limit(limit));

    public Task<IReadOnlyList<ChatMessage>> GetChatBetweenAsync(string sessionId, long fromMs, long toMs, int limit) =>
        QueryMessagesAsync("""
            SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
            WHERE session_id = @s AND sent_at >= @from AND sent_at <= @to AND deleted_at IS NULL ORDER BY id LIMIT @l
            """, P("s", sessionId), P("from", fromMs), P("to", toMs), Limit(limit));

    public async Task<ChatMessage?> GetChatMessageAsync(string sessionId, long messageId)
    {
        var found = await QueryMessagesAsync("""
            SELECT id, session_id, author_id, author_name, body, sent_at, author_badge FROM chat_messages
            WHERE session_id = @s AND id = @id AND deleted_at IS NULL
            """, P("s", sessionId), P("id", messageId)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>SQLite reads a negative LIMIT as no limit, PostgreSQL refuses it; NULL is PostgreSQL's "no limit".</summary>
    private static NpgsqlParameter Limit(int limit) =>
        new("l", NpgsqlDbType.Integer) { Value = limit < 0 ? DBNull.Value : (object)limit };

    private async Task<IReadOnlyList<ChatMessage>> QueryMessagesAsync(string sql, params NpgsqlParameter[] args)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddRange(args);
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Message).ConfigureAwait(false);
    }

    public async Task<bool> DeleteChatAsync(string sessionId, long messageId, string deletedBy, long atMs) =>
        await ExecuteAsync("UPDATE chat_messages SET deleted_at = @t, deleted_by = @by WHERE session_id = @s AND id = @id AND deleted_at IS NULL",
            P("t", atMs), P("by", deletedBy), P("s", sessionId), P("id", messageId)).ConfigureAwait(false) == 1;

    // ---- moderation and reactions ---------------------------------------------------------

    public Task SetSanctionAsync(Sanction sanction, long atMs) =>
        ExecuteAsync("""
            INSERT INTO sanctions (session_id, user_id, kind, until_ms, set_by, set_at) VALUES (@s, @u, @k, @until, @by, @at)
            ON CONFLICT (session_id, user_id, kind) DO UPDATE SET until_ms = excluded.until_ms, set_by = excluded.set_by, set_at = excluded.set_at
            """, P("s", sanction.SessionId), P("u", sanction.UserId), P("k", sanction.Kind.ToString()), NullableBigint("until", sanction.UntilMs), P("by", sanction.SetBy), P("at", atMs));

    public Task RemoveSanctionAsync(string sessionId, string userId, SanctionKind kind) =>
        ExecuteAsync("DELETE FROM sanctions WHERE session_id = @s AND user_id = @u AND kind = @k", P("s", sessionId), P("u", userId), P("k", kind.ToString()));

    public async Task<IReadOnlyList<Sanction>> GetSanctionsAsync(string sessionId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT user_id, kind, until_ms, set_by FROM sanctions WHERE session_id = @s ORDER BY user_id COLLATE \"C\", kind COLLATE \"C\"");
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, row => StoreRows.Sanction(sessionId, row)).ConfigureAwait(false);
    }

    public Task<IReadOnlyDictionary<string, long>> AddReactionsAsync(string sessionId, IReadOnlyDictionary<string, long> deltas) =>
        InTransactionAsync(async (c, tx) =>
        {
            if (deltas.Count > 0)
            {
                // Sorted so that nodes adding to the same kinds lock the rows in the same order.
                var sorted = deltas.OrderBy(d => d.Key, StringComparer.Ordinal).ToArray();
                await using var cmd = Command(c, tx, """
                    INSERT INTO reactions AS r (session_id, kind, count)
                    SELECT @s, k, d FROM unnest(@k, @d) WITH ORDINALITY AS u(k, d, ord) ORDER BY ord
                    ON CONFLICT (session_id, kind) DO UPDATE SET count = r.count + excluded.count
                    """, P("s", sessionId), P("k", sorted.Select(d => d.Key).ToArray()), P("d", sorted.Select(d => d.Value).ToArray()));
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            return await ReadReactionsAsync(c, tx, sessionId).ConfigureAwait(false);
        });

    public async Task<IReadOnlyDictionary<string, long>> GetReactionsAsync(string sessionId)
    {
        await using var c = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        return await ReadReactionsAsync(c, null, sessionId).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyDictionary<string, long>> ReadReactionsAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sessionId)
    {
        await using var cmd = Command(c, tx, "SELECT kind, count FROM reactions WHERE session_id = @s", P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await r.ReadAsync().ConfigureAwait(false))
        {
            totals[r.GetString(0)] = r.GetInt64(1);
        }
        return totals;
    }

    // ---- vote rounds and votes ------------------------------------------------------------


    public Task<RoundRecord> CreateRoundAsync(RoundDraft draft) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using (var insert = Command(c, tx, """
                INSERT INTO vote_rounds (round_id, session_id, question, options_json, show_tally, eligibility, status, opened_by, client_command_id, opened_at, max_choices, closes_at)
                VALUES (@r, @s, @q, @o, @show, @e, 'Open', @by, @k, @t, @n, @until)
                ON CONFLICT (session_id, client_command_id) DO NOTHING
                """, P("r", draft.RoundId), P("s", draft.SessionId), P("q", draft.Question), P("o", JsonSerializer.Serialize(draft.Options)),
                P("show", draft.ShowTally), P("e", draft.Eligibility.ToString()), P("by", draft.OpenedBy), P("k", draft.ClientCommandId), P("t", draft.OpenedAtMs),
                P("n", draft.MaxChoices), P("until", (object?)draft.ClosesAtMs ?? DBNull.Value)))
            {
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            // A separate statement: its snapshot includes a round another node committed while the insert waited on it.
            var rounds = await QueryRoundsAsync(c, tx, "WHERE session_id = @s AND client_command_id = @k", P("s", draft.SessionId), P("k", draft.ClientCommandId)).ConfigureAwait(false);
            return rounds[0];
        });

    public async Task<RoundRecord?> GetRoundAsync(string roundId)
    {
        await using var c = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        var rounds = await QueryRoundsAsync(c, null, "WHERE round_id = @r", P("r", roundId)).ConfigureAwait(false);
        return rounds.Count == 0 ? null : rounds[0];
    }

    public async Task<IReadOnlyList<RoundRecord>> GetRoundsAsync(string sessionId)
    {
        await using var c = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        // Byte order on ties, as SQLite's BINARY collation sorts; the database's collation may not.
        return await QueryRoundsAsync(c, null, "WHERE session_id = @s ORDER BY opened_at, round_id COLLATE \"C\"", P("s", sessionId)).ConfigureAwait(false);
    }

    public Task<RoundRecord> CloseRoundAsync(string roundId, long atMs) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using (var cmd = Command(c, tx, "UPDATE vote_rounds SET status = 'Closed', closed_at = @t WHERE round_id = @r AND status = 'Open'", P("t", atMs), P("r", roundId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            // Not RETURNING: a round closed by another node meanwhile updates nothing here, and only a new snapshot shows its closing time.
            var rounds = await QueryRoundsAsync(c, tx, "WHERE round_id = @r", P("r", roundId)).ConfigureAwait(false);
            return rounds.Count == 1 ? rounds[0] : throw new InvalidOperationException($"Round '{roundId}' does not exist.");
        });

    private static async Task<IReadOnlyList<RoundRecord>> QueryRoundsAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string where, params NpgsqlParameter[] args)
    {
        await using var cmd = Command(c, tx, $"SELECT {StoreRows.RoundColumns} FROM vote_rounds {where}", args);
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Round).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<VoteOutcome>> CastVotesAsync(IReadOnlyList<VoteDraft> votes)
    {
        if (votes.Count == 0)
        {
            return [];
        }
        // A voter's second vote in the same batch is never sent: it is answered from the first.
        var firstOf = new Dictionary<(string, string), int>();
        var sent = new List<VoteDraft>(votes.Count);
        for (var i = 0; i < votes.Count; i++)
        {
            if (firstOf.TryAdd(VoteKey(votes[i]), i))
            {
                sent.Add(votes[i]);
            }
        }
        // Key order, so that two nodes' batches with common voters wait for each other instead of deadlocking.
        sent.Sort((x, y) =>
        {
            var byRound = string.CompareOrdinal(x.RoundId, y.RoundId);
            return byRound != 0 ? byRound : string.CompareOrdinal(x.VoterId, y.VoterId);
        });

        return await InTransactionAsync(async (c, tx) =>
        {
            // A share lock on each open round until commit: a close (an UPDATE of that row) waits for
            // this batch, and a batch that comes after a close waits for it and then sees the round closed.
            // A plain EXISTS would let a close commit between this batch's check and its commit.
            var open = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = Command(c, tx, "SELECT round_id FROM vote_rounds WHERE round_id = ANY(@r) AND status = 'Open' ORDER BY round_id FOR SHARE",
                P("r", sent.Select(v => v.RoundId).Distinct(StringComparer.Ordinal).ToArray())))
            {
                await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    open.Add(r.GetString(0));
                }
            }

            var inserted = new HashSet<(string, string)>();
            var insert = sent.Where(v => open.Contains(v.RoundId)).ToList();
            if (insert.Count > 0)
            {
                await using var cmd = Command(c, tx, """
                    INSERT INTO votes (round_id, voter_id, option_id, client_vote_id, cast_at)
                    SELECT r, v, o, k, t FROM unnest(@r, @v, @o, @k, @t) WITH ORDINALITY AS d(r, v, o, k, t, ord) ORDER BY ord
                    ON CONFLICT (round_id, voter_id) DO NOTHING
                    RETURNING round_id, voter_id
                    """,
                    P("r", insert.Select(v => v.RoundId).ToArray()),
                    P("v", insert.Select(v => v.VoterId).ToArray()),
                    P("o", insert.Select(v => v.OptionId).ToArray()),
                    P("k", insert.Select(v => v.ClientVoteId).ToArray()),
                    P("t", insert.Select(v => v.CastAtMs).ToArray()));
                await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    inserted.Add((r.GetString(0), r.GetString(1)));
                }
            }

            // Voters who already had a vote, in an open round or a closed one.
            var existing = new Dictionary<(string, string), VoteOutcome>();
            var missing = sent.Where(v => !inserted.Contains(VoteKey(v))).ToList();
            if (missing.Count > 0)
            {
                await using var cmd = Command(c, tx, """
                    SELECT s.round_id, s.voter_id, s.option_id, s.client_vote_id
                    FROM votes s JOIN unnest(@r, @v) AS d(r, v) ON s.round_id = d.r AND s.voter_id = d.v
                    """,
                    P("r", missing.Select(v => v.RoundId).ToArray()),
                    P("v", missing.Select(v => v.VoterId).ToArray()));
                await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    existing[(r.GetString(0), r.GetString(1))] = new VoteOutcome(false, r.GetString(2), r.GetString(3));
                }
            }

            var outcomes = new VoteOutcome[votes.Count];
            for (var i = 0; i < votes.Count; i++)
            {
                var v = votes[i];
                var key = VoteKey(v);
                if (inserted.Contains(key))
                {
                    var first = votes[firstOf[key]];
                    outcomes[i] = new VoteOutcome(firstOf[key] == i, first.OptionId, first.ClientVoteId);
                }
                else if (existing.TryGetValue(key, out var earlier))
                {
                    outcomes[i] = earlier;
                }
                else if (!open.Contains(v.RoundId))
                {
                    // As in SQLite, each refused draft is answered with its own choice.
                    outcomes[i] = new VoteOutcome(false, v.OptionId, v.ClientVoteId, RoundClosed: true);
                }
                else
                {
                    // Not inserted into an open round means a conflict, so the vote must be there.
                    throw new InvalidOperationException($"The vote of '{v.VoterId}' in round '{v.RoundId}' was neither stored nor found.");
                }
            }
            return (IReadOnlyList<VoteOutcome>)outcomes;
        }).ConfigureAwait(false);
    }

    public async Task<RoundTally> GetTallyAsync(string roundId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT option_id, count(*) FROM votes WHERE round_id = @r AND voided_at IS NULL GROUP BY option_id");
        cmd.Parameters.Add(P("r", roundId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        var tally = new Dictionary<string, long>(StringComparer.Ordinal);
        long ballots = 0;
        while (await r.ReadAsync().ConfigureAwait(false))
        {
            ballots += r.GetInt64(1);
            StoreRows.AddBallots(tally, r.GetString(0), r.GetInt64(1));
        }
        return new RoundTally(ballots, tally);
    }

    private static (string, string) VoteKey(VoteDraft v) => (v.RoundId, v.VoterId);

    public async Task<IReadOnlyList<StoredVote>> GetVotesAsync(string roundId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT voter_id, option_id, client_vote_id FROM votes WHERE round_id = @r AND voided_at IS NULL");
        cmd.Parameters.Add(P("r", roundId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Vote).ConfigureAwait(false);
    }

    // ---- plumbing -------------------------------------------------------------------------

    // ---- streams --------------------------------------------------------------------------

    public async Task<string?> GetStreamKeyAsync(string sessionId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT stream_key FROM stream_keys WHERE session_id = @s");
        cmd.Parameters.Add(P("s", sessionId));
        return await cmd.ExecuteScalarAsync().ConfigureAwait(false) as string;
    }

    public Task SetStreamKeyAsync(string sessionId, string streamKey, long atMs) =>
        ExecuteAsync("""
            INSERT INTO stream_keys (session_id, stream_key, created_at) VALUES (@s, @k, @t)
            ON CONFLICT (session_id) DO UPDATE SET stream_key = excluded.stream_key, created_at = excluded.created_at
            """, P("s", sessionId), P("k", streamKey), P("t", atMs));

    public Task StartBroadcastAsync(string sessionId, string broadcastId, long atMs) =>
        ExecuteAsync("INSERT INTO broadcasts (session_id, broadcast_id, started_at) VALUES (@s, @b, @t) ON CONFLICT DO NOTHING",
            P("s", sessionId), P("b", broadcastId), P("t", atMs));

    public Task UpdateBroadcastAsync(string sessionId, string broadcastId, string playlist, double seconds, bool ended, long atMs) =>
        ExecuteAsync("""
            UPDATE broadcasts SET playlist = @p, seconds = @d, ended_at = CASE WHEN @e THEN COALESCE(ended_at, @t) ELSE ended_at END
            WHERE session_id = @s AND broadcast_id = @b
            """, P("s", sessionId), P("b", broadcastId), P("p", playlist), P("d", seconds), P("e", ended), P("t", atMs));

    public async Task<IReadOnlyList<BroadcastRecord>> GetBroadcastsAsync(string sessionId)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {StoreRows.BroadcastColumns} FROM {StoreRows.BroadcastsJoined} WHERE b.session_id = @s ORDER BY b.started_at, b.broadcast_id COLLATE \"C\"");
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Broadcast).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<BroadcastRecord>> GetReplaysAsync(int limit)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {StoreRows.BroadcastColumns} FROM {StoreRows.BroadcastsJoined} WHERE b.ended_at IS NOT NULL AND b.playlist IS NOT NULL AND COALESCE(e.hidden, 0) = 0 ORDER BY b.ended_at DESC, b.session_id COLLATE \"C\" LIMIT @l");
        cmd.Parameters.Add(Limit(limit));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Broadcast).ConfigureAwait(false);
    }

    public Task EndBroadcastAsync(string sessionId, string broadcastId, long atMs) =>
        ExecuteAsync("UPDATE broadcasts SET ended_at = COALESCE(ended_at, @t) WHERE session_id = @s AND broadcast_id = @b",
            P("s", sessionId), P("b", broadcastId), P("t", atMs));

    public async Task<LiveKitStageRecord?> GetLiveKitStageAsync(string sessionId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT session_id, room, ingress_id, ingress_url, ingress_key, created_at FROM livekit_stages WHERE session_id = @s");
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await r.ReadAsync().ConfigureAwait(false) ? StoreRows.Stage(r) : null;
    }

    public async Task<IReadOnlyList<string>> GetLiveKitStageSessionsAsync()
    {
        await using var cmd = dataSource.CreateCommand("SELECT session_id FROM livekit_stages ORDER BY session_id COLLATE \"C\"");
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, row => row.GetString(0)).ConfigureAwait(false);
    }

    public Task SetLiveKitStageAsync(LiveKitStageRecord stage) =>
        ExecuteAsync("""
            INSERT INTO livekit_stages (session_id, room, ingress_id, ingress_url, ingress_key, created_at) VALUES (@s, @r, @i, @u, @k, @t)
            ON CONFLICT (session_id) DO UPDATE SET room = excluded.room, ingress_id = excluded.ingress_id, ingress_url = excluded.ingress_url,
                ingress_key = excluded.ingress_key, created_at = excluded.created_at
            """, P("s", stage.SessionId), P("r", stage.Room), P("i", stage.IngressId), P("u", stage.IngressUrl), P("k", stage.IngressKey), P("t", stage.CreatedAt));

    public Task SetLiveKitBroadcastAsync(string sessionId, string broadcastId, string room, string? egressId) =>
        ExecuteAsync("""
            INSERT INTO livekit_broadcasts (session_id, broadcast_id, room, egress_id) VALUES (@s, @b, @r, @e)
            ON CONFLICT (session_id, broadcast_id) DO UPDATE SET egress_id = COALESCE(excluded.egress_id, livekit_broadcasts.egress_id)
            """, P("s", sessionId), P("b", broadcastId), P("r", room), P("e", egressId));

    public async Task<IReadOnlyList<LiveKitBroadcastRecord>> GetOpenLiveKitBroadcastsAsync(string? sessionId)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT l.session_id, l.broadcast_id, l.room, l.egress_id FROM livekit_broadcasts l
            JOIN broadcasts b ON b.session_id = l.session_id AND b.broadcast_id = l.broadcast_id
            WHERE b.ended_at IS NULL AND (@s::text IS NULL OR l.session_id = @s) ORDER BY b.started_at, l.session_id COLLATE "C"
            """);
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.LiveKitBroadcast).ConfigureAwait(false);
    }

    public async Task<bool> RecordWebhookAsync(string webhookId, long atMs) =>
        await ExecuteAsync("INSERT INTO webhooks_seen (webhook_id, received_at) VALUES (@w, @t) ON CONFLICT DO NOTHING", P("w", webhookId), P("t", atMs)).ConfigureAwait(false) == 1;

    public async Task<MarkerRecord> AddMarkerAsync(string sessionId, string title, string clientMarkerId, long atMs)
    {
        await ExecuteAsync("INSERT INTO markers (session_id, client_marker_id, title, at) VALUES (@s, @c, @t, @a) ON CONFLICT DO NOTHING",
            P("s", sessionId), P("c", clientMarkerId), P("t", title), P("a", atMs)).ConfigureAwait(false);
        await using var cmd = dataSource.CreateCommand("SELECT session_id, title, client_marker_id, at FROM markers WHERE session_id = @s AND client_marker_id = @c");
        cmd.Parameters.Add(P("s", sessionId));
        cmd.Parameters.Add(P("c", clientMarkerId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        await r.ReadAsync().ConfigureAwait(false);
        return StoreRows.Marker(r);
    }

    public async Task<IReadOnlyList<MarkerRecord>> GetMarkersAsync(string sessionId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT session_id, title, client_marker_id, at FROM markers WHERE session_id = @s ORDER BY at, client_marker_id COLLATE \"C\"");
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.Marker).ConfigureAwait(false);
    }

    public Task SetReplayEditAsync(ReplayEditRecord edit, string playlist, double seconds, bool newOriginal = false) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using (var upsert = Command(c, tx, $"""
                INSERT INTO replay_edits ({StoreRows.ReplayEditColumns}) VALUES (@s, @b, @op, @os, @off, @ts, @te, @h, @u)
                ON CONFLICT (session_id, broadcast_id) DO UPDATE SET offset_seconds = excluded.offset_seconds, trim_start = excluded.trim_start,
                    trim_end = excluded.trim_end, hidden = excluded.hidden, updated_at = excluded.updated_at
                    {(newOriginal ? ", original_playlist = excluded.original_playlist, original_seconds = excluded.original_seconds" : "")}
                """, P("s", edit.SessionId), P("b", edit.BroadcastId), P("op", edit.OriginalPlaylist), P("os", edit.OriginalSeconds), P("off", edit.OffsetSeconds),
                P("ts", edit.TrimStart), new NpgsqlParameter("te", NpgsqlDbType.Double) { Value = edit.TrimEnd.HasValue ? edit.TrimEnd.Value : DBNull.Value }, P("h", edit.Hidden ? 1L : 0L), P("u", edit.UpdatedAt)))
            {
                await upsert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using var update = Command(c, tx, "UPDATE broadcasts SET playlist = @p, seconds = @d WHERE session_id = @s AND broadcast_id = @b AND ended_at IS NOT NULL",
                P("s", edit.SessionId), P("b", edit.BroadcastId), P("p", playlist), P("d", seconds));
            return await update.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public async Task<IReadOnlyList<ReplayEditRecord>> GetReplayEditsAsync(string? sessionId)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {StoreRows.ReplayEditColumns} FROM replay_edits WHERE @s::text IS NULL OR session_id = @s ORDER BY session_id COLLATE \"C\", broadcast_id COLLATE \"C\"");
        cmd.Parameters.Add(P("s", sessionId));
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        return await StoreRows.ListAsync(r, StoreRows.ReplayEdit).ConfigureAwait(false);
    }

    public async Task<bool> WebhookSeenAsync(string webhookId)
    {
        await using var cmd = dataSource.CreateCommand("SELECT 1 FROM webhooks_seen WHERE webhook_id = @w");
        cmd.Parameters.Add(P("w", webhookId));
        return await cmd.ExecuteScalarAsync().ConfigureAwait(false) is not null;
    }

    // ---- a member's own data ----------------------------------------------------------------

    public async Task<MemberData> GetMemberDataAsync(string userId)
    {
        await using var c = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        IReadOnlyList<MemberChat> chat;
        await using (var cmd = Command(c, null, "SELECT id, session_id, body, sent_at, deleted_at IS NOT NULL FROM chat_messages WHERE author_id = @u ORDER BY id", P("u", userId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            chat = await StoreRows.ListAsync(r, StoreRows.MemberChat).ConfigureAwait(false);
        }
        IReadOnlyList<MemberVote> votes;
        await using (var cmd = Command(c, null, """
            SELECT v.round_id, r.session_id, r.question, v.option_id, v.cast_at FROM votes v JOIN vote_rounds r ON r.round_id = v.round_id
            WHERE v.voter_id = @u ORDER BY v.cast_at
            """, P("u", userId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            votes = await StoreRows.ListAsync(r, StoreRows.MemberVote).ConfigureAwait(false);
        }
        IReadOnlyList<MemberSanction> sanctions;
        await using (var cmd = Command(c, null, "SELECT session_id, kind, until_ms, set_at FROM sanctions WHERE user_id = @u ORDER BY set_at", P("u", userId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            sanctions = await StoreRows.ListAsync(r, StoreRows.MemberSanction).ConfigureAwait(false);
        }
        IReadOnlyList<MemberView> viewed;
        await using (var cmd = Command(c, null, "SELECT session_id, first_seen FROM session_viewers WHERE viewer_key = @k ORDER BY first_seen", P("k", "u:" + userId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            viewed = await StoreRows.ListAsync(r, StoreRows.MemberView).ConfigureAwait(false);
        }
        var tickets = new List<Fair.QueueTicket>();
        await using (var cmd = Command(c, null, $"SELECT {QueueSql.TicketColumns} FROM booth_queue_tickets WHERE user_id = @u ORDER BY joined_at, company", P("u", userId)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                tickets.Add(QueueSql.ReadTicket(r));
            }
        }
        return new MemberData(chat, votes, sanctions, viewed, tickets);
    }

    public Task ForgetMemberAsync(string userId, string anonymousId) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using (var cmd = Command(c, tx, "UPDATE chat_messages SET author_id = @a, author_name = '' WHERE author_id = @u", P("a", anonymousId), P("u", userId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using (var cmd = Command(c, tx, "UPDATE votes SET voter_id = @a WHERE voter_id = @u", P("a", anonymousId), P("u", userId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using (var cmd = Command(c, tx, "DELETE FROM sanctions WHERE user_id = @u", P("u", userId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using (var cmd = Command(c, tx, "UPDATE session_viewers SET viewer_key = @a WHERE viewer_key = @u", P("a", "x:" + anonymousId), P("u", "u:" + userId)))
            {
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            foreach (var sql in new[] { QueueSql.ForgetQueueTickets, QueueSql.ForgetQueueCalls })
            {
                await using var cmd = Command(c, tx, sql, P("a", anonymousId), P("u", userId));
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            return 0;
        });

    private async Task<int> ExecuteAsync(string sql, params NpgsqlParameter[] args)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddRange(args);
        return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Runs the work in one transaction; if it throws, disposing the uncommitted transaction rolls it back.</summary>
    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var result = await work(connection, tx).ConfigureAwait(false);
        await tx.CommitAsync().ConfigureAwait(false);
        return result;
    }

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params NpgsqlParameter[] args)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        cmd.Parameters.AddRange(args);
        return cmd;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] args)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddRange(args);
        return cmd;
    }

    private static NpgsqlParameter<T> P<T>(string name, T value) => new(name, value);

    private static NpgsqlParameter NullableBigint(string name, long? value) =>
        new(name, NpgsqlDbType.Bigint) { Value = value.HasValue ? (object)value.Value : DBNull.Value };

    private int disposed;

    /// <summary>Idempotent: the container disposes the store once per interface it is registered under.</summary>
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref disposed, 1) == 1 ? ValueTask.CompletedTask : dataSource.DisposeAsync();
}
