using Events.Web.Content;
using Events.Web.Fair;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Fair;

/// <summary>A company's booth at a job fair: its profile, website, and its positions, open ones first.</summary>
public sealed class BoothModel(ContentStore content, Events.Silo.EventClock clock) : PageModel
{
    public FairDirectory Directory { get; private set; } = null!;
    public CompanyItem Company { get; private set; } = null!;
    public IReadOnlyList<PositionItem> Open { get; private set; } = [];
    public IReadOnlyList<PositionItem> Closed { get; private set; } = [];

    public IActionResult OnGet(string slug, string company)
    {
        if (FairDirectory.For(content.Current, slug) is not { } directory || directory.FindBooth(company) is not { } booth)
        {
            return NotFound();
        }
        Directory = directory;
        Company = booth;
        var today = directory.Today(clock);
        Open = booth.Positions.Where(p => FairDirectory.IsOpen(p, today)).ToArray();
        Closed = booth.Positions.Where(p => !FairDirectory.IsOpen(p, today)).ToArray();
        return Page();
    }
}
