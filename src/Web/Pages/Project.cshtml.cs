using Events.Silo.Contests;
using Events.Web.Accounts;
using Events.Web.Accounts.Audit;
using Events.Web.Accounts.Companies;
using Events.Web.Content;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Pages;

/// <summary>
/// A contest project: its team, school, track, the regional round it advanced from, its award, its
/// pitch and video, its place in the final once revealed, and who invested (from the content).
/// Investors mark interest here; the project's team accounts (made by organizers here) and
/// organizers see who is interested, with their email to get in touch.
/// </summary>
public sealed class ProjectModel(ContentStore content, IGrainFactory grains, AccountsDbContext db, UserManager<Member> users, AuditLog audit, TimeProvider clock, UiText text) : MessagePage
{
    public ProjectItem Project { get; private set; } = null!;
    public EventItem? Contest { get; private set; }

    /// <summary>The regional round whose advancing projects list it (null when none does).</summary>
    public SessionItem? Regional { get; private set; }

    /// <summary>The final it pitches in (its running order lists it), or null.</summary>
    public SessionItem? Final { get; private set; }

    /// <summary>Its place in the final, once the reveal has shown it.</summary>
    public RankedProject? Placed { get; private set; }

    public bool IsInvestor => User.IsInRole(Roles.Investor);
    public bool IsOrganizer => User.IsInRole(Roles.Organizer) || User.IsInRole(Roles.Administrator);
    public bool IsInterested { get; private set; }

    /// <summary>Whether the reader may see who is interested: the project's team and organizers.</summary>
    public bool SeesInterest { get; private set; }

    public sealed record Person(string UserId, string Name, string Email, long At);

    public IReadOnlyList<Person> Interested { get; private set; } = [];
    public IReadOnlyList<Person> Team { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string slug) => await LoadAsync(slug) ? Page() : NotFound();

    public async Task<IActionResult> OnPostInterestAsync(string slug, bool interested)
    {
        if (!await LoadAsync(slug))
        {
            return NotFound();
        }
        if (!IsInvestor)
        {
            return Forbid();
        }
        var me = users.GetUserId(User)!;
        var row = await db.ProjectInterests.FindAsync(slug, me);
        if (interested && row is null)
        {
            db.ProjectInterests.Add(new ProjectInterest { Project = slug, InvestorId = me, At = clock.GetUtcNow().ToUnixTimeMilliseconds() });
        }
        else if (!interested && row is not null)
        {
            db.ProjectInterests.Remove(row);
        }
        await db.SaveChangesAsync();
        return RedirectToPage(new { slug });
    }

    public async Task<IActionResult> OnPostAddTeamAsync(string slug, string? email)
    {
        if (!await LoadAsync(slug))
        {
            return NotFound();
        }
        if (!IsOrganizer)
        {
            return Forbid();
        }
        if (email is not { Length: > 0 and <= 256 } || await users.FindByEmailAsync(email.Trim()) is not { } member)
        {
            return Say(text["project.nomember"], error: true);
        }
        if (await db.ProjectTeam.FindAsync(member.Id, slug) is null)
        {
            db.ProjectTeam.Add(new ProjectTeamMember { UserId = member.Id, Project = slug, AddedAt = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            await db.SaveChangesAsync();
            await audit.WriteAsync(User, HttpContext, AuditActions.TeamAdded, member.Id, slug);
        }
        await LoadAsync(slug);
        return Say(text.Format("project.teamadded", member.DisplayName), error: false);
    }

    public async Task<IActionResult> OnPostRemoveTeamAsync(string slug, string? userId)
    {
        if (!await LoadAsync(slug))
        {
            return NotFound();
        }
        if (!IsOrganizer)
        {
            return Forbid();
        }
        if (await db.ProjectTeam.FindAsync(userId ?? "", slug) is { } row)
        {
            db.ProjectTeam.Remove(row);
            await db.SaveChangesAsync();
            await audit.WriteAsync(User, HttpContext, AuditActions.TeamRemoved, userId, slug);
        }
        await LoadAsync(slug);
        return Say(text["project.teamremoved"], error: false);
    }

    private async Task<bool> LoadAsync(string slug)
    {
        var catalog = content.Current;
        if (catalog.FindProject(slug) is not { } found)
        {
            return false;
        }
        Project = found;
        Contest = catalog.FindEvent(found.EventSlug);
        var rules = catalog.Contest(found.EventSlug);
        var sessions = catalog.SessionsOf(found.EventSlug).Where(s => s.RunningOrder.Contains(slug)).ToArray();
        Final = sessions.FirstOrDefault(s => s.Slug == rules?.FinalSession);
        Regional = sessions.FirstOrDefault(s => s.Slug != rules?.FinalSession);
        if (rules is not null && await grains.GetGrain<IContestGrain>(rules.ContestId).CurrentRevealAsync() is { } reveal)
        {
            Placed = reveal.Shown.FirstOrDefault(p => p.Project == slug);
        }
        if (users.GetUserId(User) is not { } me)
        {
            return true;
        }
        IsInterested = await db.ProjectInterests.AnyAsync(i => i.Project == slug && i.InvestorId == me);
        SeesInterest = IsOrganizer || await db.ProjectTeam.AnyAsync(t => t.Project == slug && t.UserId == me);
        if (SeesInterest)
        {
            Interested = await (from i in db.ProjectInterests where i.Project == slug join u in db.Users on i.InvestorId equals u.Id orderby i.At select new Person(u.Id, u.DisplayName, u.Email ?? "", i.At)).ToListAsync();
        }
        if (IsOrganizer)
        {
            Team = await (from t in db.ProjectTeam where t.Project == slug join u in db.Users on t.UserId equals u.Id orderby t.AddedAt select new Person(u.Id, u.DisplayName, u.Email ?? "", t.AddedAt)).ToListAsync();
        }
        return true;
    }
}
