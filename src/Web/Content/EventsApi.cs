using Events.Silo;
using Events.Silo.Store;
using Events.Web.Live;
using Events.Web.Pages;

namespace Events.Web.Content;

/// <summary>
/// The public read API of events and sessions (docs/live-api.md §10), so other clients (an app, a
/// mini-program, a campus portal) need not read the pages: what is on, when, whether it is live,
/// and its replays. Anyone may read it; texts come in the language asked for.
/// </summary>
public static class EventsApi
{
    public sealed record EventView(string Id, string Kind, string Title, string Summary, string Location, DateTimeOffset Starts, DateTimeOffset Ends,
        string Status, string Url, IReadOnlyList<SessionSummary> Sessions);

    public sealed record SessionSummary(string Id, string Title, DateTimeOffset Starts, DateTimeOffset Ends, string Status, string Url, int Replays);

    public sealed record SessionView(string Id, string EventId, string Title, string Summary, DateTimeOffset Starts, DateTimeOffset Ends, string Status,
        string Url, IReadOnlyList<SpeakerView> Speakers, IReadOnlyList<string> Tags, IReadOnlyList<ReplayView> Replays);

    public sealed record SpeakerView(string Id, string Name, string Affiliation, int ClassOf);

    public sealed record ReplayView(string BroadcastId, string Playlist, string Thumbnail, double Seconds, DateTimeOffset EndedAt);

    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Events");
        api.MapGet("/events", async (string? lang, ContentStore content, SessionStatuses statuses, EventClock clock, ReplayLibrary library) =>
        {
            if (Language(lang) is not { } chinese)
            {
                return BadLanguage();
            }
            var replays = await library.AllAsync();
            var list = new List<EventView>();
            foreach (var e in content.Current.Events)
            {
                list.Add(await EventAsync(e, chinese, content.Current, statuses, clock, replays));
            }
            return Results.Ok(list);
        });
        api.MapGet("/events/{id}", async (string id, string? lang, ContentStore content, SessionStatuses statuses, EventClock clock, ReplayLibrary library) =>
        {
            if (Language(lang) is not { } chinese)
            {
                return BadLanguage();
            }
            return content.Current.FindEvent(id) is { } e
                ? Results.Ok(await EventAsync(e, chinese, content.Current, statuses, clock, await library.AllAsync()))
                : StreamingApi.Problem(404, "unknown_event", $"There is no event '{id}'.");
        });
        api.MapGet("/sessions/{id}", async (string id, string? lang, ContentStore content, SessionStatuses statuses, EventClock clock, ReplayLibrary library) =>
        {
            if (Language(lang) is not { } chinese)
            {
                return BadLanguage();
            }
            var catalog = content.Current;
            if (catalog.FindSession(id) is not { } s)
            {
                return StreamingApi.Problem(404, "unknown_session", $"There is no session '{id}'.");
            }
            var speakers = s.Speakers.Select(catalog.FindSpeaker).OfType<SpeakerItem>()
                .Select(p => new SpeakerView(p.Slug, p.Name.Get(chinese), p.Affiliation.Get(chinese), p.ClassOf)).ToArray();
            var replays = (await library.AllAsync()).Where(r => r.Session.Slug == s.Slug)
                .Select(r => new ReplayView(r.BroadcastId, r.Playlist, r.Thumbnail, Math.Round(r.Seconds, 1), r.EndedAt)).ToArray();
            return Results.Ok(new SessionView(s.Slug, s.EventSlug, s.Title.Get(chinese), s.Summary.Get(chinese), s.Starts, s.Ends,
                await StatusAsync(s, statuses, clock), "/sessions/" + s.Slug, speakers, chinese ? s.Tags.Zh : s.Tags.En, replays));
        });
    }

    private static async Task<EventView> EventAsync(EventItem e, bool chinese, ContentCatalog catalog, SessionStatuses statuses, EventClock clock, IReadOnlyList<ReplayLibrary.Replay> replays)
    {
        var sessions = new List<SessionSummary>();
        foreach (var s in catalog.SessionsOf(e.Slug))
        {
            sessions.Add(new SessionSummary(s.Slug, s.Title.Get(chinese), s.Starts, s.Ends, await StatusAsync(s, statuses, clock), "/sessions/" + s.Slug,
                replays.Count(r => r.Session.Slug == s.Slug)));
        }
        var now = clock.GetUtcNow();
        // An event is live while any of its sessions is; else by its dates.
        var status = sessions.Any(s => s.Status == "live") ? "live" : now > e.Ends ? "ended" : "upcoming";
        return new EventView(e.Slug, Kind(e.Kind), e.Title.Get(chinese), e.Summary.Get(chinese), e.Location.Get(chinese), e.Starts, e.Ends, status,
            "/events/" + e.Slug, sessions);
    }

    private static async Task<string> StatusAsync(SessionItem s, SessionStatuses statuses, EventClock clock) =>
        SessionStateText.Of(s, await statuses.GetAsync(s.Slug), clock.GetUtcNow()) switch
        {
            SessionState.Live => "live",
            SessionState.Ended => "ended",
            _ => "upcoming",
        };

    private static string Kind(EventKind kind) => kind switch
    {
        EventKind.Forum => "forum",
        EventKind.JobFair => "jobfair",
        _ => "contest",
    };

    /// <summary>Chinese or not: <c>lang=en|zh</c>, else the request's language (Accept-Language, the language cookie); null for another <c>lang</c>.</summary>
    private static bool? Language(string? lang) => lang switch
    {
        null or "" => System.Globalization.CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase),
        "en" => false,
        "zh" or "zh-CN" => true,
        _ => null,
    };

    private static IResult BadLanguage() => StreamingApi.Problem(400, "invalid_argument", "'lang' is \"en\" or \"zh\".");
}
