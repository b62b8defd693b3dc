using System.Globalization;
using System.Text;
using Events.Silo.Contests;
using Events.Silo.Store;
using Events.Web.Accounts;
using Events.Web.Accounts.Roster;
using Events.Web.Content;

namespace Events.Web.Live;

/// <summary>
/// The organizers' CSV exports of a contest (UTF-8 with a byte order mark, so that spreadsheet
/// programs read the Chinese titles; a field that a spreadsheet would run as a formula starts with
/// an apostrophe): the results, every judge's scores, the anonymised ballots of a round and the
/// participation in every round of the contest's sessions. Results and scores exist once judging
/// is locked (before, 409 judging_not_locked).
/// </summary>
public static class ContestExports
{
    public static IEndpointRouteBuilder MapContestExports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/organize").RequireAuthorization(Roles.Organizer).ExcludeFromDescription();
        group.MapGet("/contests/{slug}/results.csv", ResultsAsync);
        group.MapGet("/contests/{slug}/scores.csv", ScoresAsync);
        group.MapGet("/contests/{slug}/participation.csv", ParticipationAsync);
        group.MapGet("/rounds/{roundId}/ballots.csv", BallotsAsync);
        return app;
    }

    private static async Task<IResult> ResultsAsync(string slug, HttpContext http, ContentStore content, IGrainFactory grains)
    {
        if (content.Current.Contest(slug) is null)
        {
            return StreamingApi.Problem(404, "unknown_contest", $"There is no judged contest '{slug}'.");
        }
        var ranking = await grains.GetGrain<IContestGrain>(slug).RankingAsync(CallerFactory.From(http.User));
        if (!ranking.IsOk)
        {
            return StreamingApi.Problem(409, ranking.Error!.Code, ranking.Error.Message);
        }
        var catalog = content.Current;
        var rows = ranking.Value!.Select(p =>
        {
            var project = catalog.FindProject(p.Project);
            return new[] { N(p.Place), p.Project, project?.Title.En ?? "", project?.Title.Zh ?? "", project?.Team.En ?? "", project?.Track.En ?? "", D(p.Final), D(p.JudgeScore), D(p.AudienceScore), N(p.Votes) };
        });
        return Csv($"{slug}-results.csv", ["place", "project", "title", "title_zh", "team", "track", "final_score", "judges_score", "audience_score", "votes"], rows);
    }

    private static async Task<IResult> ScoresAsync(string slug, HttpContext http, ContentStore content, IGrainFactory grains)
    {
        if (content.Current.Contest(slug) is null)
        {
            return StreamingApi.Problem(404, "unknown_contest", $"There is no judged contest '{slug}'.");
        }
        var scores = await grains.GetGrain<IContestGrain>(slug).ScoresAsync(CallerFactory.From(http.User));
        if (!scores.IsOk)
        {
            return StreamingApi.Problem(409, scores.Error!.Code, scores.Error.Message);
        }
        var rows = scores.Value!.Select(s => new[] { s.JudgeName, s.Project, s.Criterion, N(s.Score) });
        return Csv($"{slug}-scores.csv", ["judge", "project", "criterion", "score"], rows);
    }

    private static async Task<IResult> ParticipationAsync(string slug, ContentStore content, ILiveStore store)
    {
        if (content.Current.FindEvent(slug) is not { Kind: EventKind.Contest })
        {
            return StreamingApi.Problem(404, "unknown_contest", $"There is no contest '{slug}'.");
        }
        var rows = new List<string[]>();
        foreach (var session in content.Current.SessionsOf(slug))
        {
            foreach (var round in await store.GetRoundsAsync(session.Slug))
            {
                var tally = await store.GetTallyAsync(round.RoundId);
                rows.Add([session.Slug, round.RoundId, round.Question, round.Status.ToString().ToLowerInvariant(), round.Eligibility.ToString().ToLowerInvariant(),
                    N(round.MaxChoices), Time(round.OpenedAtMs), round.ClosedAtMs is { } c ? Time(c) : "", N(tally.Ballots), N(tally.Options.Values.Sum())]);
            }
        }
        return Csv($"{slug}-participation.csv", ["session", "round", "question", "status", "eligibility", "max_choices", "opened_at", "closed_at", "ballots", "choices"], rows);
    }

    /// <summary>One row per counted ballot, in no particular order and with no voter: the chosen options (and their projects).</summary>
    private static async Task<IResult> BallotsAsync(string roundId, ILiveStore store)
    {
        if (roundId.Length is 0 or > 64 || await store.GetRoundAsync(roundId) is not { } round)
        {
            return StreamingApi.Problem(404, "unknown_round", $"There is no round '{roundId}'.");
        }
        var projects = round.Options.ToDictionary(o => o.Id, o => o.Project ?? o.Label, StringComparer.Ordinal);
        // Ordered by the choices, not by time or voter, so the row order tells nothing about who voted when.
        var rows = (await store.GetVotesAsync(roundId))
            .Select(v => Choices.Split(v.OptionId))
            .Select(choices => new[] { string.Join(' ', choices), string.Join(' ', choices.Select(c => projects.GetValueOrDefault(c) ?? c)) })
            .OrderBy(r => r[0], StringComparer.Ordinal)
            .Select((r, i) => new[] { N(i + 1), r[0], r[1] });
        return Csv($"{roundId}-ballots.csv", ["ballot", "options", "projects"], rows);
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string D(double d) => d.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    internal static IResult Csv(string name, string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append('\uFEFF');
        foreach (var row in rows.Prepend(header))
        {
            text.AppendJoin(',', row.Select(Field)).Append("\r\n");
        }
        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", name);
    }

    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
