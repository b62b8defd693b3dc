using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Events.Web.Accounts;

/// <summary>Adds the display name to the sign-in claims so hubs and pages need no database read per call.</summary>
public sealed class MemberClaimsFactory(UserManager<Member> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<Member, IdentityRole>(users, roles, options)
{
    public const string DisplayNameClaim = "display_name";

    /// <summary>When the account was registered (Unix ms; absent for accounts older than the record): read by the vote signals.</summary>
    public const string CreatedAtClaim = "created_at";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(Member user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(DisplayNameClaim, DisplayNames.For(user)));
        if (user.CreatedAt > 0)
        {
            identity.AddClaim(new Claim(CreatedAtClaim, user.CreatedAt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return identity;
    }
}
