using Events.Silo.Fair;
using Microsoft.Data.Sqlite;

namespace Events.Silo.Store;

public sealed partial class SqliteLiveStore
{
    private const string QueueSchema = """
        CREATE TABLE IF NOT EXISTS booth_queues (
            company TEXT PRIMARY KEY,
            open INTEGER NOT NULL,
            updated_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS booth_queue_tickets (
            company TEXT NOT NULL,
            no INTEGER NOT NULL,
            user_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            state TEXT NOT NULL,
            joined_at INTEGER NOT NULL,
            called_at INTEGER,
            called_by TEXT,
            called_by_name TEXT,
            answered_at INTEGER,
            ended_at INTEGER,
            PRIMARY KEY (company, no)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS booth_queue_tickets_user ON booth_queue_tickets (user_id, state);
        """;

    public Task<BoothQueueRecord> GetQueueAsync(string company, int finished) =>
        ReadAsync(async c =>
        {
            var open = true;
            await using (var cmd = Command(c, null, "SELECT open FROM booth_queues WHERE company = $c", ("$c", company)))
            {
                if (await cmd.ExecuteScalarAsync().ConfigureAwait(false) is long stored)
                {
                    open = stored != 0;
                }
            }
            var active = new List<QueueTicket>();
            await using (var cmd = Command(c, null, $"SELECT {QueueSql.TicketColumns} FROM booth_queue_tickets WHERE company = $c AND state IN ('waiting', 'called', 'in_call') ORDER BY no", ("$c", company)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    active.Add(QueueSql.ReadTicket(r));
                }
            }
            var done = new List<QueueTicket>();
            await using (var cmd = Command(c, null, $"SELECT {QueueSql.TicketColumns} FROM booth_queue_tickets WHERE company = $c AND state NOT IN ('waiting', 'called', 'in_call') ORDER BY no DESC LIMIT $n", ("$c", company), ("$n", finished)))
            await using (var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await r.ReadAsync().ConfigureAwait(false))
                {
                    done.Add(QueueSql.ReadTicket(r));
                }
            }
            long lastNo;
            await using (var cmd = Command(c, null, "SELECT coalesce(max(no), 0) FROM booth_queue_tickets WHERE company = $c", ("$c", company)))
            {
                lastNo = (long)(await cmd.ExecuteScalarAsync().ConfigureAwait(false))!;
            }
            return new BoothQueueRecord(open, active, done, lastNo);
        });

    public Task<bool> AddTicketAsync(QueueTicket ticket, int maxPerMember) =>
        // The writer is one thread: the count and the insert are one transaction that no other write interleaves.
        WriteAsync(async (c, tx) =>
        {
            await using (var count = Command(c, tx, "SELECT count(*) FROM booth_queue_tickets WHERE user_id = $u AND state IN ('waiting', 'called', 'in_call')", ("$u", ticket.UserId)))
            {
                if ((long)(await count.ExecuteScalarAsync().ConfigureAwait(false))! >= maxPerMember)
                {
                    return false;
                }
            }
            await using var cmd = Command(c, tx, $"INSERT INTO booth_queue_tickets ({QueueSql.TicketColumns}) VALUES ($c, $n, $u, $d, $s, $j, NULL, NULL, NULL, NULL, NULL)",
                ("$c", ticket.Company), ("$n", ticket.No), ("$u", ticket.UserId), ("$d", ticket.DisplayName), ("$s", ticket.State), ("$j", ticket.JoinedAt));
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            return true;
        });

    public Task UpdateTicketAsync(QueueTicket ticket) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                UPDATE booth_queue_tickets SET state = $s, called_at = $ca, called_by = $cb, called_by_name = $cn, answered_at = $a, ended_at = $e
                WHERE company = $c AND no = $n
                """, ("$c", ticket.Company), ("$n", ticket.No), ("$s", ticket.State), ("$ca", ticket.CalledAt), ("$cb", ticket.CalledBy), ("$cn", ticket.CalledByName),
                ("$a", ticket.AnsweredAt), ("$e", ticket.EndedAt));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task SetQueueOpenAsync(string company, bool open, long atMs) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                INSERT INTO booth_queues (company, open, updated_at) VALUES ($c, $o, $t)
                ON CONFLICT (company) DO UPDATE SET open = excluded.open, updated_at = excluded.updated_at
                """, ("$c", company), ("$o", open ? 1 : 0), ("$t", atMs));
            return await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        });

    public Task<IReadOnlyDictionary<string, QueueFigures>> GetQueueFiguresAsync() =>
        ReadAsync(async c =>
        {
            var figures = new Dictionary<string, QueueFigures>(StringComparer.Ordinal);
            await using var cmd = Command(c, null, QueueSql.Figures);
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                figures[r.GetString(0)] = QueueSql.Read(r);
            }
            return (IReadOnlyDictionary<string, QueueFigures>)figures;
        });
}
