namespace Events.Silo.Store;

/// <summary>Statements of the booth queues that both engines run as written (named parameters with '@'; SQLite's store turns them into '$').</summary>
internal static class QueueSql
{
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
}
