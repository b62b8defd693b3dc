using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Accounts.Audit;
using Events.Web.Live;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Events.Web.Pages.Organize;

/// <summary>
/// A vote round's review: its tally, the anomaly report of its ballots' signals, and voiding a
/// group of ballots with a reason (written to the audit log; the live tally follows at once).
/// </summary>
public sealed class RoundModel(LiveGrains grains, AccountsDbContext db, AuditLog audit, UiText text) : MessagePage
{
    public RoundView Round { get; private set; } = null!;
    public AnomalyReport.Report Report { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string roundId) => await LoadAsync(roundId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostVoidAsync(string roundId, string? kind, string? key, string? reason)
    {
        if (!await LoadAsync(roundId))
        {
            return NotFound();
        }
        if (kind is not (AnomalyReport.Range or AnomalyReport.Device or AnomalyReport.NewAccounts or AnomalyReport.Minute) || string.IsNullOrEmpty(key))
        {
            return Say(text["review.badgroup"], error: true);
        }
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 200)
        {
            return Say(text["review.needreason"], error: true);
        }
        var voters = await AnomalyReport.VotersAsync(db, roundId, kind, key);
        if (voters.Count == 0)
        {
            return Say(text["review.nogroup"], error: true);
        }
        var done = await grains.Round(roundId).VoidAsync(CallerFactory.From(User), voters, reason.Trim());
        if (!done.IsOk)
        {
            return Say(done.Error!.Message, error: true);
        }
        await audit.WriteAsync(User, HttpContext, AuditActions.BallotsVoided, roundId, $"{done.Value} · {kind} {key} · {reason.Trim()}");
        await LoadAsync(roundId);
        return Say(text.Format("review.voided", done.Value), error: false);
    }

    private async Task<bool> LoadAsync(string roundId)
    {
        if (roundId is not { Length: > 0 and <= 64 } || await grains.Round(roundId).ViewAsync() is not { } view)
        {
            return false;
        }
        Round = view;
        Report = await AnomalyReport.BuildAsync(db, roundId);
        return true;
    }
}
