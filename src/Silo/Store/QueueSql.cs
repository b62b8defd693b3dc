namespace Events.Silo.Store;

/// <summary>Statements of the booth queues that both engines run as written (named parameters with '@'; SQLite's store turns them into '$').</summary>
internal static class QueueSql
{
    public const string TicketColumns = "company, no, user_id, display_name, state, joined_at, called_at, called_by, called_by_name, answered_at, ended_at";

    /// <summary>A ticket from a row of <see cref="TicketColumns"/>.</summary>
    public static Fair.QueueTicket ReadTicket(System.Data.Common.DbDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
        r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetInt64(9), r.IsDBNull(10) ? null : r.GetInt64(10));

    /// <summary>A deleted account's tickets keep their place in the figures under the anonymous id, with no name; those still active end as left.</summary>
    public const string ForgetQueueTickets = """
        UPDATE booth_queue_tickets SET
            state = CASE WHEN state IN ('waiting', 'called', 'in_call') THEN 'left' ELSE state END,
            ended_at = coalesce(ended_at, answered_at, called_at, joined_at),
            user_id = @a, display_name = ''
        WHERE user_id = @u
        """;

    /// <summary>A deleted representative's calls, likewise.</summary>
    public const string ForgetQueueCalls = "UPDATE booth_queue_tickets SET called_by = @a, called_by_name = '' WHERE called_by = @u";

    /// <summary>Every booth's figures (columns as <see cref="Fair.QueueFigures"/>, after the company).</summary>
    public const string Figures = """
        SELECT company,
            sum(CASE WHEN state = 'done' AND answered_at IS NOT NULL THEN 1 ELSE 0 END),
            sum(CASE WHEN state = 'skipped' THEN 1 ELSE 0 END),
            sum(CASE WHEN state = 'left' THEN 1 ELSE 0 END),
            CAST(round(avg(called_at - joined_at)) AS BIGINT),
            CAST(round(avg(CASE WHEN state = 'done' AND answered_at IS NOT NULL THEN ended_at - answered_at END)) AS BIGINT)
        FROM booth_queue_tickets GROUP BY company
        """;

    public static Fair.QueueFigures Read(System.Data.Common.DbDataReader r) =>
        new(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.IsDBNull(5) ? null : r.GetInt64(5));
}
