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
