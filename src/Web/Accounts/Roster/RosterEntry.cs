namespace Events.Web.Accounts.Roster;

/// <summary>
/// One alumnus as the alumni office's roster has them. <see cref="ClaimedBy"/> is the account
/// verified as this person: a student number is claimed once.
/// </summary>
public sealed class RosterEntry
{
    public string StudentNumber { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>The name as matched: <see cref="RosterNames.Key"/> of <see cref="Name"/>.</summary>
    public string NameKey { get; set; } = "";

    public int ClassYear { get; set; }

    public string School { get; set; } = "";

    public string? Email { get; set; }

    public string? ClaimedBy { get; set; }

    public long? ClaimedAt { get; set; }

    /// <summary>Unix milliseconds of the import that last wrote the row.</summary>
    public long UpdatedAt { get; set; }
}

/// <summary>A verification tried by a member (by roster details or by asking for a mailed link); failures within a day are limited.</summary>
public sealed class VerificationAttempt
{
    public long Id { get; set; }

    public string UserId { get; set; } = "";

    public long At { get; set; }

    public bool Succeeded { get; set; }
}
