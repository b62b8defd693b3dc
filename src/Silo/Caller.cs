using Orleans;
using Orleans.Concurrency;
namespace Events.Silo;

/// <summary>The roles of DESIGN.md. Anonymous viewers have none.</summary>
[Flags]
[GenerateSerializer]
public enum LiveRoles
{
    None = 0,
    Member = 1,
    Verified = 2,
    CompanyRep = 4,
    Moderator = 8,
    Organizer = 16,
    Administrator = 32,
}

/// <summary>Who is calling a grain: resolved and checked by the host before the call.</summary>
[GenerateSerializer, Immutable]
public sealed record Caller(string? UserId, string DisplayName, LiveRoles Roles)
{
    public static Caller Anonymous { get; } = new(null, "", LiveRoles.None);

    public bool IsSignedIn => UserId is not null;

    public bool CanModerate => (Roles & (LiveRoles.Moderator | LiveRoles.Organizer | LiveRoles.Administrator)) != 0;

    public bool CanOrganize => (Roles & (LiveRoles.Organizer | LiveRoles.Administrator)) != 0;

    public bool IsVerified => (Roles & LiveRoles.Verified) != 0;
}

/// <summary>
/// The badge beside a staff member's name in chat, Q&amp;A and booths, fixed when they write, and
/// the ranks moderation follows: a moderator acts on members, an organizer on moderators too, an
/// administrator on everyone but themselves.
/// </summary>
public static class StaffBadges
{
    public const string Organizer = "organizer";
    public const string Moderator = "moderator";
    public const string CompanyRep = "rep";

    public static string? For(LiveRoles roles) =>
        (roles & (LiveRoles.Organizer | LiveRoles.Administrator)) != 0 ? Organizer
        : (roles & LiveRoles.Moderator) != 0 ? Moderator
        : (roles & LiveRoles.CompanyRep) != 0 ? CompanyRep
        : null;

    public static int Rank(LiveRoles roles) =>
        (roles & LiveRoles.Administrator) != 0 ? 3
        : (roles & LiveRoles.Organizer) != 0 ? 2
        : (roles & LiveRoles.Moderator) != 0 ? 1
        : 0;

    /// <summary>The rank a message's badge stands for (administrators write as organizers).</summary>
    public static int Rank(string? badge) => badge switch
    {
        Organizer => 2,
        Moderator => 1,
        _ => 0,
    };
}
