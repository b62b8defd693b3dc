using Events.Silo;
using Events.Silo.Contests;
using Events.Web.Accounts;
using Events.Web.Content;
using Events.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Events.Web.Pages.Contests;

/// <summary>
/// A judge's own score sheet: every project of the final, in running order, scored on each
/// criterion; saved all at once (a blank box is not scored yet), changeable until the organizer
/// locks judging, then read only. Nobody else's scores are shown here.
/// </summary>
[Authorize]
public sealed class JudgeModel(ContentStore content, IGrainFactory grains, UiText text) : MessagePage
{
    public EventItem Contest { get; private set; } = null!;
    public ContestJudging Judging { get; private set; } = null!;
    public IReadOnlyList<ProjectItem> Projects { get; private set; } = [];
    public SheetView? Sheet { get; private set; }

    /// <summary>What the judge typed when a save was refused, shown again as typed.</summary>
    public Dictionary<string, string> Typed { get; } = new(StringComparer.Ordinal);

    public static string Field(string project, string criterion) => $"score:{project}:{criterion}";

    public string ValueOf(string project, string criterion) =>
        Typed.TryGetValue(Field(project, criterion), out var typed) ? typed
        : Sheet?.Scores.GetValueOrDefault(project)?.TryGetValue(criterion, out var score) == true ? score.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>This judge's weighted score of a project (0 to 100), when every criterion is scored.</summary>
    public double? TotalOf(string project)
    {
        var rules = content.Current.Contest(Contest.Slug)!;
        var scores = Sheet?.Scores.GetValueOrDefault(project);
        return Ranking.Scored(rules, scores) ? Ranking.Weighted(rules, scores!) : null;
    }

    private IContestGrain Grain => grains.GetGrain<IContestGrain>(Contest.Slug);

    private bool Load(string slug)
    {
        var catalog = content.Current;
        if (catalog.FindEvent(slug) is not { Judging: { } judging } found || catalog.Contest(slug) is not { } rules)
        {
            return false;
        }
        Contest = found;
        Judging = judging;
        Projects = rules.Projects.Select(catalog.FindProject).OfType<ProjectItem>().ToArray();
        return true;
    }

    public async Task<IActionResult> OnGetAsync(string slug)
    {
        if (!Load(slug))
        {
            return NotFound();
        }
        var sheet = await Grain.GetSheetAsync(CallerFactory.From(User));
        if (!sheet.IsOk)
        {
            return Forbid();
        }
        Sheet = sheet.Value;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string slug)
    {
        if (!Load(slug))
        {
            return NotFound();
        }
        var caller = CallerFactory.From(User);
        var current = await Grain.GetSheetAsync(caller);
        if (!current.IsOk)
        {
            return Forbid();
        }
        Sheet = current.Value;
        // Every box is kept as typed first, so a refused save shows the whole sheet again, not only up to the bad box.
        var boxes = new List<(string Project, string Criterion, string Typed)>();
        foreach (var project in content.Current.Contest(slug)!.Projects)
        {
            foreach (var criterion in Judging.Criteria)
            {
                var typed = Request.Form[Field(project, criterion.Id)].ToString().Trim();
                if (typed.Length > 0)
                {
                    Typed[Field(project, criterion.Id)] = typed;
                    boxes.Add((project, criterion.Id, typed));
                }
            }
        }
        var scores = new List<ScoreEntry>();
        foreach (var (project, criterion, typed) in boxes)
        {
            // Named here, with the project and criterion; the grain checks the same range again.
            if (!int.TryParse(typed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var score) || score > Judging.MaxScore)
            {
                return Say(text.Format("judging.error.score_out_of_range", TitleOf(project), Judging.NameOf(criterion, text.IsChinese), Judging.MaxScore), error: true);
            }
            scores.Add(new ScoreEntry(project, criterion, score));
        }
        if (scores.Count == 0)
        {
            return Say(text["judging.nothing"], error: true);
        }
        var saved = await Grain.SaveScoresAsync(caller, scores);
        if (!saved.IsOk)
        {
            return Say(ErrorText(saved.Error!), error: true);
        }
        Sheet = saved.Value;
        Typed.Clear();
        return Say(text.Format("judging.saved", Sheet!.Complete, Sheet.Projects), error: false);
    }

    private string TitleOf(string project) => content.Current.FindProject(project)?.Title.Get(text.IsChinese) ?? project;

    private string ErrorText(LiveError error) => error.Code switch
    {
        "score_out_of_range" => text.Format("judging.error.score_out_of_range", "", "", Judging.MaxScore),
        "judging_locked" => text["judging.error.judging_locked"],
        "not_a_judge" => text["judging.error.not_a_judge"],
        _ => error.Message,
    };
}
