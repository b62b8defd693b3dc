namespace Events.Web.Accounts.Companies;

/// <summary>
/// An organizer's invitation of a representative to a company: a link mailed to one address,
/// usable once, until <see cref="ExpiresAt"/>. Only the SHA-256 of the link's secret is kept, so the
/// table alone opens nothing.
/// </summary>
public sealed class CompanyInvitation
{
    /// <summary>Hex SHA-256 of the secret in the link.</summary>
    public string Id { get; set; } = "";

    public string Company { get; set; } = "";

    public string Email { get; set; } = "";

    public string InvitedBy { get; set; } = "";

    public long CreatedAt { get; set; }

    public long ExpiresAt { get; set; }

    public long? UsedAt { get; set; }

    public string? UsedBy { get; set; }
}

/// <summary>An account that represents a company (and so manages that company's booth only).</summary>
public sealed class CompanyRep
{
    public string UserId { get; set; } = "";

    public string Company { get; set; } = "";

    public long AddedAt { get; set; }
}

/// <summary>An investor's interest in a contest project (one row per investor and project).</summary>
public sealed class ProjectInterest
{
    public string Project { get; set; } = "";

    public string InvestorId { get; set; } = "";

    public long At { get; set; }
}

/// <summary>An account of a contest project's team, made so by an organizer: it sees the investors interested in the project.</summary>
public sealed class ProjectTeamMember
{
    public string UserId { get; set; } = "";

    public string Project { get; set; } = "";

    public long AddedAt { get; set; }
}
