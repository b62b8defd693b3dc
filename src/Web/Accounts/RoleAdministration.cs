using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Accounts;

/// <summary>Why a role change was refused; null when it was made.</summary>
public enum RoleRefusal
{
    UnknownRole,
    UnknownUser,

    /// <summary>Removing the Administrator role from the only administrator left: nobody could grant it again.</summary>
    LastAdministrator,

    /// <summary>An administrator removing their own Administrator role, not yet confirmed.</summary>
    ConfirmSelf,
}

/// <summary>
/// Granting and removing roles, for the administration page and the HTTP API alike. A change
/// reaches the person's open pages, tokens and connections within seconds (<see cref="MemberAccess"/>)
/// without a new password or a new sign-in: the security stamp is left alone, so their refresh
/// token keeps working and carries the new roles.
/// </summary>
public sealed class RoleAdministration(UserManager<Member> users, MemberAccess access, Audit.AuditLog audit, IHttpContextAccessor http)
{
    public sealed record MemberRoles(string Id, string DisplayName, string? Email, bool EmailConfirmed, IReadOnlyList<string> Roles);

    public async Task<IReadOnlyList<MemberRoles>> FindAsync(string? query, int take = 100)
    {
        var q = users.Users;
        if (!string.IsNullOrWhiteSpace(query))
        {
            var text = query.Trim();
            q = q.Where(m => m.Email!.Contains(text) || m.DisplayName.Contains(text));
        }
        var list = new List<MemberRoles>();
        foreach (var m in await q.OrderBy(m => m.Email).Take(take).ToListAsync())
        {
            list.Add(await DescribeAsync(m));
        }
        return list;
    }

    public async Task<MemberRoles?> GetAsync(string userId) =>
        await users.FindByIdAsync(userId) is { } member ? await DescribeAsync(member) : null;

    public async Task<RoleRefusal?> ChangeAsync(ClaimsPrincipal actor, string userId, string role, bool grant, bool confirmSelf)
    {
        if (!Roles.All.Contains(role))
        {
            return RoleRefusal.UnknownRole;
        }
        if (await users.FindByIdAsync(userId) is not { } member)
        {
            return RoleRefusal.UnknownUser;
        }
        if (await users.IsInRoleAsync(member, role) == grant)
        {
            return null;
        }
        if (!grant && role == Roles.Administrator)
        {
            if ((await users.GetUsersInRoleAsync(Roles.Administrator)).Count <= 1)
            {
                return RoleRefusal.LastAdministrator;
            }
            if (actor.FindFirstValue(ClaimTypes.NameIdentifier) == member.Id && !confirmSelf)
            {
                return RoleRefusal.ConfirmSelf;
            }
        }
        var result = grant ? await users.AddToRoleAsync(member, role) : await users.RemoveFromRoleAsync(member, role);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Changing a role failed: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
        await access.RecordAsync(member.Id);
        await audit.WriteAsync(actor, http.HttpContext, grant ? Audit.AuditActions.RoleGranted : Audit.AuditActions.RoleRemoved, member.Id,
            role + " · " + DisplayNames.For(member) + " <" + member.Email + ">");
        return null;
    }

    private async Task<MemberRoles> DescribeAsync(Member m) =>
        new(m.Id, DisplayNames.For(m), m.Email, m.EmailConfirmed, (await users.GetRolesAsync(m)).Order(StringComparer.Ordinal).ToArray());
}
