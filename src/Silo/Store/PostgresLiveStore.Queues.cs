using Events.Silo.Fair;
using Npgsql;
using NpgsqlTypes;

namespace Events.Silo.Store;

public sealed partial class PostgresLiveStore
{
    private const string QueueSchema = """

        CREATE TABLE IF NOT EXISTS booth_queues (
            company text PRIMARY KEY,
            open boolean NOT NULL,
            updated_at bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS booth_queue_tickets (
            company text NOT NULL,
            no bigint NOT NULL,
            user_id text NOT NULL,
            display_name text NOT NULL,
            state text NOT NULL,
            joined_at bigint NOT NULL,
            called_at bigint,
            called_by text,
            called_by_name text,
            answered_at bigint,
            ended_at bigint,
            PRIMARY KEY (company, no));
        CREATE INDEX IF NOT EXISTS booth_queue_tickets_user ON booth_queue_tickets (user_id, state);
        """;

    private static NpgsqlParameter NullableText(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    public async Task<BoothQueueRecord> GetQueueAsync(string company, int finished)
    {
        await using var c = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        var open = true;
        await using (var cmd = Command(c, null, "SELECT open FROM booth_queues WHERE company = @c", P("c", company)))
        {
            if (await cmd.ExecuteScalarAsync().ConfigureAwait(false) is bool stored)
            {
                open = stored;
            }
        }
        var active = new List<QueueTicket>();
        await using (var cmd = Command(c, null, $"SELECT {QueueSql.TicketColumns} FROM booth_queue_tickets WHERE company = @c AND state IN ('waiting', 'called', 'in_call') ORDER BY no", P("c", company)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                active.Add(QueueSql.ReadTicket(r));
            }
        }
        var done = new List<QueueTicket>();
        await using (var cmd = Command(c, null, $"SELECT {QueueSql.TicketColumns} FROM booth_queue_tickets WHERE company = @c AND state NOT IN ('waiting', 'called', 'in_call') ORDER BY no DESC LIMIT @n", P("c", company), P("n", finished)))
        await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                done.Add(QueueSql.ReadTicket(r));
            }
        }
        long lastNo;
        await using (var cmd = Command(c, null, "SELECT coalesce(max(no), 0) FROM booth_queue_tickets WHERE company = @c", P("c", company)))
        {
            lastNo = (long)(await cmd.ExecuteScalarAsync().ConfigureAwait(false))!;
        }
        return new BoothQueueRecord(open, active, done, lastNo);
    }

    public Task<bool> AddTicketAsync(QueueTicket ticket, int maxPerMember) =>
        InTransactionAsync(async (c, tx) =>
        {
            // One student's joins queue behind each other, so the count and the insert cannot be split by another booth's join.
            await using (var lockCmd = Command(c, tx, "SELECT pg_advisory_xact_lock(hashtext('booth_queue:' || @u))", P("u", ticket.UserId)))
            {
                await lockCmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await using (var count = Command(c, tx, "SELECT count(*) FROM booth_queue_tickets WHERE user_id = @u AND state IN ('waiting', 'called', 'in_call')", P("u", ticket.UserId)))
            {
                if ((long)(await count.ExecuteScalarAsync().ConfigureAwait(false))! >= maxPerMember)
                {
                    return false;
                }
            }
            await using var cmd = Command(c, tx, $"INSERT INTO booth_queue_tickets ({QueueSql.TicketColumns}) VALUES (@c, @n, @u, @d, @s, @j, NULL, NULL, NULL, NULL, NULL)",
                P("c", ticket.Company), P("n", ticket.No), P("u", ticket.UserId), P("d", ticket.DisplayName), P("s", ticket.State), P("j", ticket.JoinedAt));
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            return true;
        });

    public Task UpdateTicketAsync(QueueTicket ticket) =>
        ExecuteAsync("""
            UPDATE booth_queue_tickets SET state = @s, called_at = @ca, called_by = @cb, called_by_name = @cn, answered_at = @a, ended_at = @e
            WHERE company = @c AND no = @n
            """, P("c", ticket.Company), P("n", ticket.No), P("s", ticket.State), NullableBigint("ca", ticket.CalledAt), NullableText("cb", ticket.CalledBy),
            NullableText("cn", ticket.CalledByName), NullableBigint("a", ticket.AnsweredAt), NullableBigint("e", ticket.EndedAt));

    public Task SetQueueOpenAsync(string company, bool open, long atMs) =>
        ExecuteAsync("""
            INSERT INTO booth_queues (company, open, updated_at) VALUES (@c, @o, @t)
            ON CONFLICT (company) DO UPDATE SET open = excluded.open, updated_at = excluded.updated_at
            """, P("c", company), P("o", open), P("t", atMs));

    public async Task<IReadOnlyDictionary<string, QueueFigures>> GetQueueFiguresAsync()
    {
        var figures = new Dictionary<string, QueueFigures>(StringComparer.Ordinal);
        await using var cmd = dataSource.CreateCommand(QueueSql.Figures);
        await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
        while (await r.ReadAsync().ConfigureAwait(false))
        {
            figures[r.GetString(0)] = QueueSql.Read(r);
        }
        return figures;
    }
}
