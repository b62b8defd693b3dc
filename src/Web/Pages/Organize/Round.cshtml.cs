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

    /// <summary>The form's answer, with the round and its report as they are now (one reading of the signals).</summary>
    private async Task<IActionResult> SayAsync(string roundId, string message, bool error)
    {
        await LoadAsync(roundId);
        return Say(message, error);
    }

    public async Task<IActionResult> OnPostVoidAsync(string roundId, string? kind, string? key, string? reason)
    {
        if (!IsRoundId(roundId) || await grains.Round(roundId).ViewAsync() is null)
        {
            return NotFound();
        }
        if (kind is not (AnomalyReport.Range or AnomalyReport.Device or AnomalyReport.NewAccounts or AnomalyReport.Minute) || string.IsNullOrEmpty(key))
        {
            return await SayAsync(roundId, text["review.badgroup"], error: true);
        }
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 200)
        {
            return await SayAsync(roundId, text["review.needreason"], error: true);
        }
        var voters = await AnomalyReport.VotersAsync(db, roundId, kind, key);
        if (voters.Count == 0)
        {
            return await SayAsync(roundId, text["review.nogroup"], error: true);
        }
        var done = await grains.Round(roundId).VoidAsync(CallerFactory.From(User), voters, reason.Trim());
        if (!done.IsOk)
        {
            return await SayAsync(roundId, text.Has("js.error." + done.Error!.Code) ? text["js.error." + done.Error.Code] : done.Error.Message, error: true);
        }
        await audit.WriteAsync(User, HttpContext, AuditActions.BallotsVoided, roundId, $"{done.Value} · {kind} {key} · {reason.Trim()}");
        return await SayAsync(roundId, text.Format("review.voided", done.Value), error: false);
    }

    private static bool IsRoundId(string roundId) => roundId is { Length: > 0 and <= 64 };

    private async Task<bool> LoadAsync(string roundId)
    {
        if (!IsRoundId(roundId) || await grains.Round(roundId).ViewAsync() is not { } view)
        {
            return false;
        }
        Round = view;
        Report = await AnomalyReport.BuildAsync(db, roundId);
        return true;
    }
}
