namespace Events.Web.Accounts.Audit;

/// <summary>
/// One action of a moderator, organizer or administrator, or one verification: who (account id
/// and the name shown then), what (<see cref="AuditActions"/>), on whom or what, when, from which
/// address. Rows are only ever added.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    /// <summary>Unix milliseconds.</summary>
    public long At { get; set; }

    /// <summary>The account that acted; null for the platform itself (a roster import's first admin, a reconciliation).</summary>
    public string? ActorId { get; set; }

    public string ActorName { get; set; } = "";

    public string Action { get; set; } = "";

    /// <summary>What was acted on: an account id, a session, a round, a student number.</summary>
    public string? Target { get; set; }

    /// <summary>What else matters, as short text (the role, the minutes, the number of rows).</summary>
    public string? Detail { get; set; }

    /// <summary>The client's address as the platform saw it (after a trusted proxy's X-Forwarded-For).</summary>
    public string? Address { get; set; }
}
