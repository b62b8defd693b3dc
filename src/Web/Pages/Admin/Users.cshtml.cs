using Events.Web.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Admin;

/// <summary>Administrators grant and remove roles; a change reaches the person within seconds, without a new sign-in.</summary>
public sealed class UsersModel(RoleAdministration roles) : PageModel
{
    public IReadOnlyList<RoleAdministration.MemberRoles> Members { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? Query { get; set; }

    /// <summary>Set when the change asked for waits for a confirmation (removing one's own Administrator role) or was refused.</summary>
    public RoleRefusal? Refusal { get; private set; }

    public string? PendingUserId { get; private set; }

    public async Task OnGetAsync() => Members = await roles.FindAsync(Query);

    public async Task<IActionResult> OnPostAsync(string userId, string role, bool grant, bool confirmSelf)
    {
        var refusal = await roles.ChangeAsync(User, userId ?? "", role ?? "", grant, confirmSelf);
        if (refusal is RoleRefusal.UnknownRole or RoleRefusal.UnknownUser)
        {
            return BadRequest();
        }
        if (refusal is null)
        {
            return RedirectToPage(new { Query });
        }
        Refusal = refusal;
        PendingUserId = userId;
        Members = await roles.FindAsync(Query);
        return Page();
    }
}
