using Events.Silo;
using Events.Web.Content;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

public sealed class EventModel(ContentStore content, SessionStatuses statuses, EventClock clock, IGrainFactory grains) : PageModel
{
    /// <summary>For a judged contest: the organizers' judging desk, shown to organizers.</summary>
    public bool ShowDesk { get; private set; }

    /// <summary>For a judged contest: the reader is one of its judges (their score sheet is linked).</summary>
    public bool IsJudge { get; private set; }

    public EventItem Event { get; private set; } = null!;
    public IReadOnlyList<(SessionItem Session, SessionState State)> Sessions { get; private set; } = [];
    /// <summary>For a job fair with booths: its directory (the page links to the fair's halls and search).</summary>
    public Events.Web.Fair.FairDirectory? Fair { get; private set; }

    /// <summary>The fair's positions still taking applications today.</summary>
    public int OpenPositions { get; private set; }
    public IReadOnlyList<ProjectItem> Projects { get; private set; } = [];
    public ContentCatalog Catalog { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug)
    {
        Catalog = content.Current;
        if (Catalog.FindEvent(slug) is not { } found)
        {
            return NotFound();
        }
        Event = found;
        var now = clock.GetUtcNow();
        var sessions = new List<(SessionItem, SessionState)>();
        foreach (var s in Catalog.SessionsOf(slug))
        {
            sessions.Add((s, SessionStateText.Of(s, await statuses.GetAsync(s.Slug), now)));
        }
        Sessions = sessions;
        Fair = Catalog.CompaniesOf(slug).Count > 0 ? Events.Web.Fair.FairDirectory.For(Catalog, slug) : null;
        OpenPositions = Fair?.OpenPositionCount(Fair.Today(clock)) ?? 0;
        Projects = Catalog.ProjectsOf(slug);
        if (Catalog.Contest(slug) is not null && Accounts.CallerFactory.From(User) is { UserId: { } userId } caller)
        {
            ShowDesk = caller.CanOrganize;
            IsJudge = await grains.GetGrain<Silo.Contests.IContestGrain>(slug).IsJudgeAsync(userId);
        }
        return Page();
    }
}
