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
