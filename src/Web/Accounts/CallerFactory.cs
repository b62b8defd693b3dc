using System.Security.Claims;
using Events.Silo;

namespace Events.Web.Accounts;

/// <summary>Turns an authenticated principal into the engine's <see cref="Caller"/>.</summary>
public static class CallerFactory
{
    public static Caller From(ClaimsPrincipal? user)
    {
        var id = user?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (user?.Identity?.IsAuthenticated != true || id is null)
        {
            return Caller.Anonymous;
        }
        var roles = LiveRoles.Member;
        foreach (var claim in user.FindAll(ClaimTypes.Role))
        {
            roles |= Roles.ToLiveRole(claim.Value);
        }
        var name = user.FindFirstValue(MemberClaimsFactory.DisplayNameClaim) ?? user.Identity.Name ?? "member";
        return new Caller(id, name, roles);
    }
}
