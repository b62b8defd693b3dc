using System.Runtime.CompilerServices;
using Events.Web.Content;

namespace Events.Web.Fair;

/// <summary>What a student asks the fair for: words, a hall (industry), a city, their degree and major. Every part is optional.</summary>
public sealed record FairQuery(string? Text = null, string? Hall = null, string? City = null, Degree? Degree = null, string? Major = null)
{
    /// <summary>Whether anything narrows the positions themselves (a city, degree, major), not just the booths.</summary>
    public bool FiltersPositions => City is not null || Degree is not null || Major is not null;

    public bool IsEmpty => string.IsNullOrWhiteSpace(Text) && Hall is null && !FiltersPositions;
}

/// <summary>A value a filter offers: its key in the address, its name in both languages, and how many open positions or booths have it.</summary>
public sealed record FairFacet(string Key, Localized Name, int Count);

/// <summary>A booth that matches a query, with the open positions of it that match (all of them when the query names no position filter or words).</summary>
public sealed record BoothMatch(CompanyItem Company, IReadOnlyList<PositionItem> Positions);

/// <summary>One open position that matches a query, with its company.</summary>
public sealed record PositionMatch(CompanyItem Company, PositionItem Position);

/// <summary>
/// A job fair's booths and positions, indexed once per loaded content (a few thousand positions are
/// searched in memory in well under a millisecond): halls by industry, the cities, majors and degrees
/// positions ask for, and a search over both languages at once (a student may type Chinese on the
/// English page). A position is open until the end of its deadline day in the fair's time zone.
/// </summary>
public sealed class FairDirectory
{
    private static readonly ConditionalWeakTable<ContentCatalog, Dictionary<string, FairDirectory>> Built = new();

    private readonly Dictionary<CompanyItem, string> companyText = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<PositionItem, string> positionText = new(ReferenceEqualityComparer.Instance);

    private FairDirectory(EventItem fair, IReadOnlyList<CompanyItem> companies)
    {
        Fair = fair;
        Booths = companies.OrderBy(c => c.Name.En, StringComparer.OrdinalIgnoreCase).ToArray();
        foreach (var c in Booths)
        {
            companyText[c] = Fold(c.Name.En, c.Name.Zh, c.Industry.En, c.Industry.Zh, c.City.En, c.City.Zh, c.Slug);
            foreach (var p in c.Positions)
            {
                positionText[p] = Fold([p.Title.En, p.Title.Zh, p.City.En, p.City.Zh, p.Requirements.En, p.Requirements.Zh, .. p.Majors.En, .. p.Majors.Zh]);
            }
        }
        Halls = Facets(Booths.Select(c => c.Industry));
        Cities = Facets(Booths.SelectMany(c => c.Positions).Select(p => p.City));
        Majors = Facets(Booths.SelectMany(c => c.Positions).SelectMany(p => p.Majors.En.Select((en, i) => new Localized(en, i < p.Majors.Zh.Count ? p.Majors.Zh[i] : en))));
    }

    public EventItem Fair { get; }

    /// <summary>Every booth, by English name.</summary>
    public IReadOnlyList<CompanyItem> Booths { get; }

    /// <summary>Industries, each with its number of booths, largest first.</summary>
    public IReadOnlyList<FairFacet> Halls { get; }

    /// <summary>Cities positions are in, each with its number of positions, largest first.</summary>
    public IReadOnlyList<FairFacet> Cities { get; }

    /// <summary>Majors positions ask for, each with its number of positions, largest first.</summary>
    public IReadOnlyList<FairFacet> Majors { get; }

    public int PositionCount => positionText.Count;

    public int OpenPositionCount(DateOnly today) => positionText.Keys.Count(p => IsOpen(p, today));

    /// <summary>The fair's directory, or null when the event is not a job fair.</summary>
    public static FairDirectory? For(ContentCatalog catalog, string eventSlug)
    {
        if (catalog.FindEvent(eventSlug) is not { Kind: EventKind.JobFair } fair)
        {
            return null;
        }
        var byEvent = Built.GetOrCreateValue(catalog);
        lock (byEvent)
        {
            if (!byEvent.TryGetValue(eventSlug, out var directory))
            {
                directory = new FairDirectory(fair, catalog.CompaniesOf(eventSlug));
                byEvent[eventSlug] = directory;
            }
            return directory;
        }
    }

    /// <summary>The key a name is known by in a page's address: its English text as a slug.</summary>
    public static string KeyOf(Localized name) => ContestJudging.IdOf(name.En);

    public CompanyItem? FindBooth(string? slug) => Booths.FirstOrDefault(c => c.Slug == slug);

    /// <summary>Whether applications to the position are still taken on <paramref name="today"/> (the fair's local day).</summary>
    public static bool IsOpen(PositionItem position, DateOnly today) => position.Deadline is not { } last || last >= today;

    /// <summary>Today in the fair's time zone (the offset of its start).</summary>
    public DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Fair.Starts.Offset).DateTime);

    /// <summary>Booths that match, by name, each with its matching open positions.</summary>
    public IReadOnlyList<BoothMatch> SearchBooths(FairQuery query, DateOnly today)
    {
        var terms = Terms(query.Text);
        var matches = new List<BoothMatch>();
        foreach (var company in Booths)
        {
            if (query.Hall is not null && KeyOf(company.Industry) != query.Hall)
            {
                continue;
            }
            var companyMatches = terms.All(companyText[company].Contains);
            var positions = company.Positions.Where(p => IsOpen(p, today) && Fits(p, query) && terms.All(t => companyText[company].Contains(t) || positionText[p].Contains(t))).ToArray();
            if (positions.Length > 0 || (companyMatches && !query.FiltersPositions))
            {
                matches.Add(new BoothMatch(company, positions));
            }
        }
        return matches;
    }

    /// <summary>Open positions that match, soonest deadline first, then by company and title.</summary>
    public IReadOnlyList<PositionMatch> SearchPositions(FairQuery query, DateOnly today) => PositionsOf(SearchBooths(query, today));

    /// <summary>The positions of booth matches, in the order <see cref="SearchPositions"/> gives them.</summary>
    public static IReadOnlyList<PositionMatch> PositionsOf(IReadOnlyList<BoothMatch> booths) =>
        booths
            .SelectMany(b => b.Positions.Select(p => new PositionMatch(b.Company, p)))
            .OrderBy(m => m.Position.Deadline ?? DateOnly.MaxValue)
            .ThenBy(m => m.Company.Name.En, StringComparer.OrdinalIgnoreCase)
            .ThenBy(m => m.Position.Title.En, StringComparer.OrdinalIgnoreCase)
            .ToArray();

    private static bool Fits(PositionItem p, FairQuery query) =>
        (query.City is null || KeyOf(p.City) == query.City)
        && (query.Degree is not { } degree || p.Degree <= degree)
        && (query.Major is null || p.Majors.En.Any(m => ContestJudging.IdOf(m) == query.Major));

    private static string[] Terms(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Take(8).ToArray();

    private static string Fold(params string[] parts) => string.Join('\n', parts).ToLowerInvariant();

    private static IReadOnlyList<FairFacet> Facets(IEnumerable<Localized> names) =>
        names.GroupBy(KeyOf)
            .Select(g => new FairFacet(g.Key, g.First(), g.Count()))
            .OrderByDescending(f => f.Count)
            .ThenBy(f => f.Name.En, StringComparer.OrdinalIgnoreCase)
            .ToArray();
}
