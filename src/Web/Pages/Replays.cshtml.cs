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

    [BindProperty(SupportsGet = true)]
    public string? Tag { get; set; }

    /// <summary>The tags of the replays listed, in the page's language, most used first.</summary>
    public IReadOnlyList<string> Tags { get; private set; } = [];

    public IReadOnlyList<ReplayLibrary.Replay> Replays { get; private set; } = [];

    public IReadOnlyList<SpeakerItem> Speakers { get; private set; } = [];

    public int Total { get; private set; }

    public async Task OnGetAsync()
    {
        var all = await library.AllAsync();
        Total = all.Count;
        Speakers = all.SelectMany(r => r.Speakers).DistinctBy(s => s.Slug).OrderBy(s => s.Slug, StringComparer.Ordinal).ToArray();
        var zh = System.Globalization.CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        Tags = all.SelectMany(r => r.Session.Tags.Get(zh)).GroupBy(t => t, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.First()).Take(30).ToArray();
        var query = Query?.Trim() ?? "";
        if (query.Length > 100)
        {
            query = query[..100];
        }
        Replays = all.Where(r =>
                (Series is null or "" || string.Equals(r.Event.Kind.ToString(), Series, StringComparison.OrdinalIgnoreCase))
                && (Speaker is null or "" || r.Speakers.Any(s => s.Slug == Speaker))
                && (Tag is null or "" || r.Session.HasTag(Tag))
                && (query.Length == 0 || Matches(r, query)))
            .ToArray();
        // The same for everyone but the language: browsers and proxies may keep it briefly.
        Response.Headers.CacheControl = "public, max-age=15";
        Response.Headers.Vary = "Accept-Language, Cookie";
    }

    private static bool Matches(ReplayLibrary.Replay r, string query)
    {
        bool In(Localized text) => text.Get(false).Contains(query, StringComparison.OrdinalIgnoreCase) || text.Get(true).Contains(query, StringComparison.OrdinalIgnoreCase);
        return In(r.Session.Title) || In(r.Session.Summary) || In(r.Event.Title) || r.Speakers.Any(s => In(s.Name))
            || r.Session.Tags.En.Concat(r.Session.Tags.Zh).Any(t => t.Contains(query, StringComparison.OrdinalIgnoreCase));
    }
}
