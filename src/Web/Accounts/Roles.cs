using Events.Silo;

namespace Events.Web.Accounts;

/// <summary>The role names stored by Identity, and how they map to the engine's <see cref="LiveRoles"/>. A signed-in person is always a member.</summary>
public static class Roles
{
    public const string Verified = "Verified";
    public const string CompanyRep = "CompanyRep";

    /// <summary>An investor of the contest: marks interest in projects, which the project's team then sees.</summary>
    public const string Investor = "Investor";
    public const string Moderator = "Moderator";
    public const string Organizer = "Organizer";
    public const string Administrator = "Administrator";

    public static IReadOnlyList<string> All { get; } = [Verified, CompanyRep, Investor, Moderator, Organizer, Administrator];

    public static LiveRoles ToLiveRole(string role) => role switch
    {
        Verified => LiveRoles.Verified,
        CompanyRep => LiveRoles.CompanyRep,
        Moderator => LiveRoles.Moderator,
        Organizer => LiveRoles.Organizer,
        Administrator => LiveRoles.Administrator,
        _ => LiveRoles.None,
    };
}
