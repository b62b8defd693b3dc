using System.Globalization;
using Events.Silo.Store;
using Events.Web.Accounts;
using Events.Web.Content;
using Events.Web.Fair.Applications;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Fair;

/// <summary>One booth's figures: its visitors (the booth session's counters, across nodes), its open positions, its applications by status and its queue's calls.</summary>
public sealed record BoothFigures(CompanyItem Company, SessionCounters Visits, int OpenPositions, IReadOnlyDictionary<string, int> Applications, Events.Silo.Fair.QueueFigures Queue)
{
    public static readonly Events.Silo.Fair.QueueFigures NoCalls = new(0, 0, 0, null, null);

    public int ApplicationTotal => Applications.Values.Sum();

    /// <summary>A mean in whole minutes (at least 1 when there is one), or a dash.</summary>
    public static string Minutes(long? ms) => ms is { } m ? Math.Max(1, (long)Math.Round(m / 60_000.0)).ToString(CultureInfo.InvariantCulture) : "–";
}

/// <summary>
/// The figures of a fair's booths, for organizers (every booth, a table and a CSV) and for a
/// company's representatives (their own). Visits are counted by the live engine: unique visitors
/// (per browser), visits (joins), the most at once.
/// </summary>
public sealed class FairFigures(ILiveStore store, AccountsDbContext db, Events.Silo.EventClock clock)
{
    public async Task<IReadOnlyList<BoothFigures>> ForFairAsync(FairDirectory fair, string? onlyCompany = null)
    {
        var byCompany = (await db.JobApplications.Where(a => a.Fair == fair.Fair.Slug && (onlyCompany == null || a.Company == onlyCompany))
                .GroupBy(a => new { a.Company, a.Status }).Select(g => new { g.Key.Company, g.Key.Status, Count = g.Count() }).ToListAsync())
            .GroupBy(r => r.Company)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.ToDictionary(r => r.Status, r => r.Count));
        var queues = await store.GetQueueFiguresAsync();
        var today = fair.Today(clock);
        var figures = new List<BoothFigures>();
        foreach (var company in fair.Booths.Where(c => onlyCompany is null || c.Slug == onlyCompany))
        {
            var visits = await store.GetCountersAsync(BoothSessions.Of(company.Slug));
            figures.Add(new BoothFigures(company, visits, company.Positions.Count(p => FairDirectory.IsOpen(p, today)), byCompany.GetValueOrDefault(company.Slug) ?? new Dictionary<string, int>(),
                queues.GetValueOrDefault(company.Slug) ?? BoothFigures.NoCalls));
        }
        return figures;
    }
}

/// <summary><c>GET /organize/fair/{slug}/booths.csv</c>: every booth's figures, for organizers (UTF-8 with a byte order mark, as the contest exports).</summary>
public static class FairExports
{
    /// <summary>The organizers' table as CSV: one row per booth.</summary>
    public static IResult Csv(FairDirectory fair, IReadOnlyList<BoothFigures> figures)
    {
        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        static string S(long? ms) => ms is { } m ? (m / 1000).ToString(CultureInfo.InvariantCulture) : "";
        var header = new[] { "company", "name", "name_zh", "hall", "unique_visitors", "visits", "peak_visitors", "open_positions", "applications" }
            .Concat(ApplicationStatus.All.Select(s => "applications_" + s))
            .Concat(["calls", "calls_skipped", "queue_left", "mean_wait_seconds", "mean_call_seconds"]).ToArray();
        var rows = figures.Select(f => new[] { f.Company.Slug, f.Company.Name.En, f.Company.Name.Zh, f.Company.Industry.En, N(f.Visits.UniqueViewers), N(f.Visits.TotalViews), N(f.Visits.PeakViewers), N(f.OpenPositions), N(f.ApplicationTotal) }
            .Concat(ApplicationStatus.All.Select(s => N(f.Applications.GetValueOrDefault(s))))
            .Concat([N(f.Queue.Calls), N(f.Queue.Skipped), N(f.Queue.Left), S(f.Queue.MeanWaitMs), S(f.Queue.MeanCallMs)]).ToArray());
        return Live.ContestExports.Csv($"{fair.Fair.Slug}-booths.csv", header, rows);
    }

    public static void MapFairExports(this WebApplication app) =>
        app.MapGet("/organize/fair/{slug}/booths.csv", async (string slug, ContentStore content, FairFigures figures) =>
            FairDirectory.For(content.Current, slug) is { } fair
                ? Csv(fair, await figures.ForFairAsync(fair))
                : Live.StreamingApi.Problem(404, "unknown_fair", $"There is no job fair '{slug}'."))
            .RequireAuthorization(Roles.Organizer).ExcludeFromDescription();
}
