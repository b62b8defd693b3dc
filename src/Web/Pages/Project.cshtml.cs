using Events.Silo.Contests;
using Events.Web.Content;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

/// <summary>A contest project: its team, school, track, the regional round it advanced from, its award, its pitch and video, and its place in the final once revealed.</summary>
public sealed class ProjectModel(ContentStore content, IGrainFactory grains) : PageModel
{
    public ProjectItem Project { get; private set; } = null!;
    public EventItem? Contest { get; private set; }

    /// <summary>The regional round whose advancing projects list it (null when none does).</summary>
    public SessionItem? Regional { get; private set; }

    /// <summary>The final it pitches in (its running order lists it), or null.</summary>
    public SessionItem? Final { get; private set; }

    /// <summary>Its place in the final, once the reveal has shown it.</summary>
    public RankedProject? Placed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug)
    {
        var catalog = content.Current;
        if (catalog.FindProject(slug) is not { } found)
        {
            return NotFound();
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
        return Page();
    }
}
