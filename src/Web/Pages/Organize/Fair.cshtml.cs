using Events.Web.Content;
using Events.Web.Fair;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Organize;

/// <summary>Organizers: every booth of a fair with its visitors, open positions and applications, sorted as asked, and the same as CSV.</summary>
public sealed class FairModel(ContentStore content, FairFigures figures) : PageModel
{
    public FairDirectory Directory { get; private set; } = null!;
    public IReadOnlyList<BoothFigures> Booths { get; private set; } = [];
    public string Sort { get; private set; } = "visitors";

    public async Task<IActionResult> OnGetAsync(string slug, string? sort)
    {
        if (FairDirectory.For(content.Current, slug) is not { } fair)
        {
            return NotFound();
        }
        if (sort is not (null or "" or "visitors" or "applications" or "name"))
        {
            return BadRequest();
        }
        Directory = fair;
        Sort = string.IsNullOrEmpty(sort) ? "visitors" : sort;
        var all = await figures.ForFairAsync(fair);
        Booths = Sort switch
        {
            "applications" => all.OrderByDescending(b => b.ApplicationTotal).ThenBy(b => b.Company.Name.En, StringComparer.OrdinalIgnoreCase).ToArray(),
            "name" => all.OrderBy(b => b.Company.Name.En, StringComparer.OrdinalIgnoreCase).ToArray(),
            _ => all.OrderByDescending(b => b.Visits.UniqueViewers).ThenBy(b => b.Company.Name.En, StringComparer.OrdinalIgnoreCase).ToArray(),
        };
        return Page();
    }
}
