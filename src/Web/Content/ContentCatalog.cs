using Events.Silo;

namespace Events.Web.Content;

/// <summary>
/// One consistent, immutable snapshot of the content folder. A catalog only exists if the whole folder
/// loaded without a problem, so every cross reference in it resolves (a session's event and speakers,
/// a company's or project's event). Lookups are by exact slug; the list methods return an empty list for
/// an unknown slug. Safe to share between threads.
/// </summary>
public sealed class ContentCatalog : ISessionCatalog
{
    /// <summary>Awards from best to least; the order projects are listed in.</summary>
    internal static readonly string[] AwardOrder = ["gold", "silver", "bronze", "excellence"];

    private readonly Dictionary<string, EventItem> _events;
    private readonly Dictionary<string, SessionItem> _sessions;
    private readonly Dictionary<string, SpeakerItem> _speakers;
    private readonly Dictionary<string, CompanyItem> _companies;
    private readonly Dictionary<string, ProjectItem> _projects;
    private readonly Dictionary<string, IReadOnlyList<SessionItem>> _sessionsByEvent;
    private readonly Dictionary<string, IReadOnlyList<CompanyItem>> _companiesByEvent;
    private readonly Dictionary<string, IReadOnlyList<ProjectItem>> _projectsByEvent;
    private readonly Dictionary<string, IReadOnlyList<SessionItem>> _sessionsBySpeaker;
    private readonly Dictionary<string, Silo.Contests.ContestRules> _contests;
    private readonly Dictionary<string, string> _contestOfFinal;

    internal ContentCatalog(
        IEnumerable<EventItem> events,
        IEnumerable<SessionItem> sessions,
        IEnumerable<SpeakerItem> speakers,
        IEnumerable<CompanyItem> companies,
        IEnumerable<ProjectItem> projects)
    {
        // Every ordering ends with the slug so pages list items the same way on every load.
        Events = events.OrderBy(e => e.Starts).ThenBy(e => e.Order).ThenBy(e => e.Slug, StringComparer.Ordinal).ToList().AsReadOnly();
        Sessions = sessions.OrderBy(s => s.Starts).ThenBy(s => s.Slug, StringComparer.Ordinal).ToList().AsReadOnly();
        Speakers = speakers.OrderBy(s => s.Name.En, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Slug, StringComparer.Ordinal).ToList().AsReadOnly();
        var companyList = companies.OrderBy(c => c.Name.En, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.Slug, StringComparer.Ordinal).ToList();
        var projectList = projects
            .OrderBy(p => Array.IndexOf(AwardOrder, p.Award))
            .ThenBy(p => p.Title.En, StringComparer.OrdinalIgnoreCase)
            .ThenBy(p => p.Slug, StringComparer.Ordinal)
            .ToList();

        _events = Events.ToDictionary(e => e.Slug, StringComparer.Ordinal);
        _sessions = Sessions.ToDictionary(s => s.Slug, StringComparer.Ordinal);
        _speakers = Speakers.ToDictionary(s => s.Slug, StringComparer.Ordinal);
        _companies = companyList.ToDictionary(c => c.Slug, StringComparer.Ordinal);
        _projects = projectList.ToDictionary(p => p.Slug, StringComparer.Ordinal);
        _sessionsByEvent = Group(Sessions, s => [s.EventSlug]);
        _companiesByEvent = Group(companyList, c => [c.EventSlug]);
        _projectsByEvent = Group(projectList, p => [p.EventSlug]);
        _sessionsBySpeaker = Group(Sessions, s => s.Speakers);
        _contests = Events.Where(e => e.Judging is not null && _sessions.ContainsKey(e.Judging.FinalSession))
            .ToDictionary(e => e.Slug, e => e.Judging!.RulesFor(e.Slug, _sessions[e.Judging.FinalSession].RunningOrder), StringComparer.Ordinal);
        _contestOfFinal = _contests.Values.ToDictionary(c => c.FinalSession, c => c.ContestId, StringComparer.Ordinal);
    }

    /// <summary>Reads and checks the folder; throws <see cref="ContentException"/> listing every problem.</summary>
    public static ContentCatalog Load(string directory) => ContentLoader.Load(directory);

    /// <summary>Ordered by start, then <see cref="EventItem.Order"/>, then slug.</summary>
    public IReadOnlyList<EventItem> Events { get; }

    /// <summary>All sessions, ordered by start, then slug.</summary>
    public IReadOnlyList<SessionItem> Sessions { get; }

    /// <summary>All speakers, ordered by English name, then slug.</summary>
    public IReadOnlyList<SpeakerItem> Speakers { get; }

    public EventItem? FindEvent(string slug) => Find(_events, slug);

    public SessionItem? FindSession(string slug) => Find(_sessions, slug);

    public SpeakerItem? FindSpeaker(string slug) => Find(_speakers, slug);

    public CompanyItem? FindCompany(string slug) => Find(_companies, slug);

    /// <summary>All companies, by slug.</summary>
    public IReadOnlyList<CompanyItem> Companies => _companies.Values.OrderBy(c => c.Slug, StringComparer.Ordinal).ToArray();

    public ProjectItem? FindProject(string slug) => Find(_projects, slug);

    /// <summary>Ordered by start, then slug.</summary>
    public IReadOnlyList<SessionItem> SessionsOf(string eventSlug) => Find(_sessionsByEvent, eventSlug) ?? [];

    /// <summary>Ordered by English name, then slug.</summary>
    public IReadOnlyList<CompanyItem> CompaniesOf(string eventSlug) => Find(_companiesByEvent, eventSlug) ?? [];

    /// <summary>Ordered by award (gold, silver, bronze, excellence), then English title, then slug.</summary>
    public IReadOnlyList<ProjectItem> ProjectsOf(string eventSlug) => Find(_projectsByEvent, eventSlug) ?? [];

    /// <summary>Ordered by start, then slug.</summary>
    /// <summary>The talks held at a company's booth (sessions with <c>booth:</c>), by their start.</summary>
    public IReadOnlyList<SessionItem> TalksAtBooth(string company) => Sessions.Where(s => s.Booth == company).ToArray();

    public IReadOnlyList<SessionItem> SessionsOfSpeaker(string speakerSlug) => Find(_sessionsBySpeaker, speakerSlug) ?? [];

    /// <summary>The schedule of the session with this slug, if there is one; the live engine's session ids are session slugs.</summary>
    public SessionSchedule? Schedule(string sessionId) =>
        Find(_sessions, sessionId) is { } s ? new SessionSchedule(s.Starts, s.Ends)
        : Fair.BoothSessions.CompanyOf(sessionId) is { } company && FindCompany(company) is { } booth && FindEvent(booth.EventSlug) is { Kind: EventKind.JobFair } fair
            ? new SessionSchedule(fair.Starts, fair.Ends)
            : null;

    public bool Exists(string sessionId) => Schedule(sessionId) is not null;

    /// <summary>The judging rules of a contest event with <c>criteria</c>, its projects being its final's running order.</summary>
    public Silo.Contests.ContestRules? Contest(string contestId) => Find(_contests, contestId);

    public string? ContestOfFinal(string sessionId) => Find(_contestOfFinal, sessionId);

    // Callers pass route values straight through, so a null slug is "not found", not a crash.
    private static TValue? Find<TValue>(Dictionary<string, TValue> map, string? slug)
        where TValue : class =>
        slug is not null && map.TryGetValue(slug, out var value) ? value : null;

    // Grouping keeps the input order, so each group inherits the ordering of the full list.
    private static Dictionary<string, IReadOnlyList<T>> Group<T>(IEnumerable<T> items, Func<T, IEnumerable<string>> keys) =>
        items
            .SelectMany(item => keys(item).Select(key => (Key: key, Item: item)))
            .GroupBy(pair => pair.Key, pair => pair.Item, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<T>)g.ToList().AsReadOnly(), StringComparer.Ordinal);
}
