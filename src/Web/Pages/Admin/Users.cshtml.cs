using Events.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Pages.Admin;

/// <summary>Administrators grant and remove roles. Role changes take effect at the person's next sign-in.</summary>
public sealed class UsersModel(UserManager<Member> users) : PageModel
{
    public IReadOnlyList<(Member Member, IList<string> Roles)> Members { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? Query { get; set; }

    public async Task OnGetAsync()
    {
        var q = users.Users;
        if (!string.IsNullOrWhiteSpace(Query))
        {
            q = q.Where(m => m.Email!.Contains(Query) || m.DisplayName.Contains(Query));
        }
        var list = new List<(Member, IList<string>)>();
        foreach (var m in await q.OrderBy(m => m.Email).Take(100).ToListAsync())
        {
            list.Add((m, await users.GetRolesAsync(m)));
        }
        Members = list;
    }

    public async Task<IActionResult> OnPostAsync(string userId, string role, bool grant)
    {
        if (!Roles.All.Contains(role) || await users.FindByIdAsync(userId) is not { } member)
        {
            return BadRequest();
        }
        if (grant)
        {
            await users.AddToRoleAsync(member, role);
        }
        else
        {
            await users.RemoveFromRoleAsync(member, role);
        }
        await users.UpdateSecurityStampAsync(member);
        return RedirectToPage(new { Query });
    }
}
