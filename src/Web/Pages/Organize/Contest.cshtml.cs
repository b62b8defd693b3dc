using Events.Silo;
using Events.Silo.Contests;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Accounts.Audit;
using Events.Web.Content;
using Events.Web.Live;
using Events.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Events.Web.Pages.Organize;

/// <summary>
/// The organizer's judging desk for one contest: who judges and how far each sheet is (never its
/// scores before the lock), the lock with the audience round that counts, then the ranking, the
/// reveal to the final's viewers step by step, and the CSV exports.
/// </summary>
public sealed class ContestModel(ContentStore content, IGrainFactory grains, LiveGrains live, UserManager<Member> users, AuditLog audit, UiText text) : MessagePage
{
    public EventItem Contest { get; private set; } = null!;
    public ContestJudging Judging { get; private set; } = null!;
    public JudgingStatus Status { get; private set; } = null!;
    public IReadOnlyList<RoundView> Rounds { get; private set; } = [];
    public IReadOnlyList<RankedProject>? Ranking { get; private set; }

    public string TitleOf(string project) => content.Current.FindProject(project)?.Title.Get(text.IsChinese) ?? project;

    private IContestGrain Grain => grains.GetGrain<IContestGrain>(Contest.Slug);

    public async Task<IActionResult> OnGetAsync(string slug) => Load(slug) ? await ShowAsync() : NotFound();

    public async Task<IActionResult> OnPostAddJudgeAsync(string slug, string? email)
    {
        if (!Load(slug))
        {
            return NotFound();
        }
        var member = email is { Length: > 0 and <= 256 } ? await users.FindByEmailAsync(email.Trim()) : null;
        if (member is null)
        {
            return await SayAsync(text["judging.nomember"], error: true);
        }
        var done = await Grain.AddJudgeAsync(CallerFactory.From(User), member.Id, member.DisplayName);
        if (done.IsOk)
        {
            await audit.WriteAsync(User, HttpContext, AuditActions.JudgeAdded, member.Id, Contest.Slug);
        }
        return await ResultAsync(done.Error, text.Format("judging.judgeadded", member.DisplayName));
    }

    public async Task<IActionResult> OnPostRemoveJudgeAsync(string slug, string? userId)
    {
        if (!Load(slug))
        {
            return NotFound();
        }
        var done = await Grain.RemoveJudgeAsync(CallerFactory.From(User), userId ?? "");
        if (done.IsOk)
        {
            await audit.WriteAsync(User, HttpContext, AuditActions.JudgeRemoved, userId, Contest.Slug);
        }
        return await ResultAsync(done.Error, text["judging.judgeremoved"]);
    }

    public async Task<IActionResult> OnPostLockAsync(string slug, string? round)
    {
        if (!Load(slug))
        {
            return NotFound();
        }
        var done = await Grain.LockAsync(CallerFactory.From(User), string.IsNullOrEmpty(round) ? null : round);
        if (done.IsOk)
        {
            await audit.WriteAsync(User, HttpContext, AuditActions.JudgingLocked, Contest.Slug, round);
        }
        return await ResultAsync(done.Error, text["judging.lockeddone"]);
    }

    /// <summary>Shows <paramref name="places"/> steps of the reveal (the form sends the next number, so a double click reveals once).</summary>
    public async Task<IActionResult> OnPostRevealAsync(string slug, int places)
    {
        if (!Load(slug))
        {
            return NotFound();
        }
        var done = await Grain.RevealAsync(CallerFactory.From(User), places);
        if (done.IsOk)
        {
            await audit.WriteAsync(User, HttpContext, AuditActions.ResultsRevealed, Contest.Slug, places.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return await ResultAsync(done.Error, places == 0 ? text["judging.hidden"] : text.Format("judging.revealeddone", places));
    }

    private bool Load(string slug)
    {
        if (content.Current.FindEvent(slug) is not { Judging: { } judging } found || content.Current.Contest(slug) is null)
        {
            return false;
        }
        Contest = found;
        Judging = judging;
        return true;
    }

    private async Task<IActionResult> ResultAsync(LiveError? error, string done)
    {
        await FillAsync();
        return error is null ? Say(done, error: false) : Say(ErrorText(error), error: true);
    }

    /// <summary>A refusal in the reader's language; the judges not finished are named from the status just read.</summary>
    private string ErrorText(LiveError error) => error.Code switch
    {
        "sheets_incomplete" => text["judging.error.sheets_incomplete"] + " " + string.Join(", ", Status.Judges.Where(j => j.Complete < Status.Projects).Select(j => j.DisplayName)),
        _ when text.Has("judging.error." + error.Code) => text["judging.error." + error.Code],
        _ => error.Message,
    };

    private async Task<IActionResult> SayAsync(string message, bool error)
    {
        await FillAsync();
        return Say(message, error);
    }

    private async Task<IActionResult> ShowAsync()
    {
        await FillAsync();
        return Page();
    }

    private async Task FillAsync()
    {
        var caller = CallerFactory.From(User);
        Status = (await Grain.GetStatusAsync(caller)).Value!;
        Rounds = (await live.Session(Judging.FinalSession).PeekAsync(caller)).Rounds.Where(r => r.Options.Any(o => o.Project is not null)).OrderByDescending(r => r.OpenedAt).ToArray();
        Ranking = Status.LockedAt is null ? null : (await Grain.RankingAsync(caller)).Value;
    }
}
