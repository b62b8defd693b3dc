using Events.Web.Content;
using Events.Web.Fair;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Fair;

/// <summary>
/// Walking a job fair: its halls (industries), a search over booths and positions in both
/// languages, filters by city, degree and major, and the results as booths or as positions, a page
/// at a time. Every choice is in the address, so a search can be shared and the back button works.
/// A filter value the fair does not have is a 400 page, not an empty result that looks like one.
/// </summary>
public sealed class IndexModel(ContentStore content, Events.Silo.EventClock clock, UiText text) : PageModel
{
    public const int PageSize = 24;
    public const int MostQueryLength = 100;

    private static readonly Dictionary<string, Degree> Degrees = new(StringComparer.Ordinal)
    {
        ["bachelor"] = Degree.Bachelor,
        ["master"] = Degree.Master,
        ["doctorate"] = Degree.Doctorate,
    };

    public FairDirectory Directory { get; private set; } = null!;
    public FairQuery Query { get; private set; } = new();
    public bool ShowPositions { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public int PageCount { get; private set; } = 1;
    public IReadOnlyList<BoothMatch> Booths { get; private set; } = [];
    public int BoothTotal { get; private set; }
    public IReadOnlyList<PositionMatch> Positions { get; private set; } = [];
    public int PositionTotal { get; private set; }
    public string? DegreeKey { get; private set; }

    /// <summary>What was wrong with the address's choices (each dropped), in the person's language.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>Positions of the whole fair still taking applications today.</summary>
    public int OpenPositions { get; private set; }

    public IActionResult OnGet(string slug, string? q, string? hall, string? city, string? degree, string? major, string? view, [FromQuery(Name = "page")] int page = 1)
    {
        if (FairDirectory.For(content.Current, slug) is not { } directory)
        {
            return NotFound();
        }
        Directory = directory;
        // A filter the fair does not have (an old link, a typed address) is named, answered 400,
        // and dropped, so the person sees why and the rest of the search still works.
        var wrong = new List<string>();
        if ((q?.Length ?? 0) > MostQueryLength)
        {
            wrong.Add(text.Format("fair.bad.long", MostQueryLength));
            q = q![..MostQueryLength];
        }
        hall = Known(hall, directory.Halls, "fair.bad.hall", wrong);
        city = Known(city, directory.Cities, "fair.bad.city", wrong);
        major = Known(major, directory.Majors, "fair.bad.major", wrong);
        if (!string.IsNullOrEmpty(degree) && !Degrees.ContainsKey(degree))
        {
            wrong.Add(text.Format("fair.bad.degree", degree));
            degree = null;
        }
        if (!string.IsNullOrEmpty(view) && view is not ("booths" or "positions"))
        {
            wrong.Add(text.Format("fair.bad.view", view));
            view = null;
        }
        if (page < 1)
        {
            wrong.Add(text.Format("fair.bad.page", page));
            page = 1;
        }
        Problems = wrong;
        if (wrong.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        DegreeKey = string.IsNullOrEmpty(degree) ? null : degree;
        Query = new FairQuery(string.IsNullOrWhiteSpace(q) ? null : q.Trim(), Empty(hall), Empty(city), DegreeKey is null ? null : Degrees[DegreeKey], Empty(major));
        ShowPositions = view == "positions";
        PageNumber = page;
        var today = directory.Today(clock);
        OpenPositions = directory.OpenPositionCount(today);
        var booths = directory.SearchBooths(Query, today);
        var positions = FairDirectory.PositionsOf(booths);
        BoothTotal = booths.Count;
        PositionTotal = positions.Count;
        var total = ShowPositions ? PositionTotal : BoothTotal;
        PageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        // A page past the end (results shrank since the link was made) shows the last one.
        page = Math.Min(page, PageCount);
        PageNumber = page;
        Booths = ShowPositions ? [] : booths.Skip((page - 1) * PageSize).Take(PageSize).ToArray();
        Positions = ShowPositions ? positions.Skip((page - 1) * PageSize).Take(PageSize).ToArray() : [];
        return Page();
    }

    /// <summary>This page's address with some choices changed (null removes one); the page number starts again unless given.</summary>
    public string Link(string? view = "", string? hall = "", int page = 1)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }
        Add("q", Query.Text);
        Add("hall", hall == "" ? Query.Hall : hall);
        Add("city", Query.City);
        Add("degree", DegreeKey);
        Add("major", Query.Major);
        Add("view", view == "" ? (ShowPositions ? "positions" : null) : view);
        if (page > 1)
        {
            parts.Add($"page={page}");
        }
        return $"/fair/{Directory.Fair.Slug}" + (parts.Count > 0 ? "?" + string.Join('&', parts) : "");
    }

    private string? Known(string? key, IReadOnlyList<FairFacet> facets, string problem, List<string> wrong)
    {
        if (string.IsNullOrEmpty(key) || facets.Any(f => f.Key == key))
        {
            return key;
        }
        wrong.Add(text[problem]);
        return null;
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
