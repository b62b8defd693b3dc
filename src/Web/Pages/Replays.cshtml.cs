using Events.Web.Content;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

/// <summary>The replay library: every finished broadcast, newest first, by series (event kind), speaker and a search in both languages.</summary>
public sealed class ReplaysModel(ReplayLibrary library) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Series { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Speaker { get; set; }

    public IReadOnlyList<ReplayLibrary.Replay> Replays { get; private set; } = [];

    public IReadOnlyList<SpeakerItem> Speakers { get; private set; } = [];

    public int Total { get; private set; }

    public async Task OnGetAsync()
    {
        var all = await library.AllAsync();
        Total = all.Count;
        Speakers = all.SelectMany(r => r.Speakers).DistinctBy(s => s.Slug).OrderBy(s => s.Slug, StringComparer.Ordinal).ToArray();
        var query = Query?.Trim() ?? "";
        if (query.Length > 100)
        {
            query = query[..100];
        }
        Replays = all.Where(r =>
                (Series is null or "" || string.Equals(r.Event.Kind.ToString(), Series, StringComparison.OrdinalIgnoreCase))
                && (Speaker is null or "" || r.Speakers.Any(s => s.Slug == Speaker))
                && (query.Length == 0 || Matches(r, query)))
            .ToArray();
        // The same for everyone but the language: browsers and proxies may keep it briefly.
        Response.Headers.CacheControl = "public, max-age=15";
        Response.Headers.Vary = "Accept-Language, Cookie";
    }

    private static bool Matches(ReplayLibrary.Replay r, string query)
    {
        bool In(Localized text) => text.Get(false).Contains(query, StringComparison.OrdinalIgnoreCase) || text.Get(true).Contains(query, StringComparison.OrdinalIgnoreCase);
        return In(r.Session.Title) || In(r.Session.Summary) || In(r.Event.Title) || r.Speakers.Any(s => In(s.Name));
    }
}
