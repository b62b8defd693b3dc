using System.Globalization;
using Events.Web.Accounts.Audit;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Organize;

/// <summary>The audit log for organizers: newest first, 100 a page, filtered by action, person, target and dates (UTC).</summary>
public sealed class AuditModel(AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "action")]
    public string? ActionFilter { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Actor { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Target { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? Before { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public bool BadFilter { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var from = Day(From);
        var to = Day(To);
        if ((ActionFilter is { Length: > 0 } && !AuditActions.All.Contains(ActionFilter)) || from == DateTimeOffset.MinValue || to == DateTimeOffset.MinValue
            || Actor is { Length: > 100 } || Target is { Length: > 200 })
        {
            BadFilter = true;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Entries = await audit.SearchAsync(new AuditLog.Query(ActionFilter, Actor, Target, from, to?.AddDays(1), Before));
        return Page();
    }

    /// <summary>The link to the next (older) page, keeping the filters.</summary>
    public string Older() =>
        QueryHelpers(new Dictionary<string, string?>
        {
            ["action"] = ActionFilter, ["actor"] = Actor, ["target"] = Target, ["from"] = From, ["to"] = To,
            ["before"] = Entries[^1].Id.ToString(CultureInfo.InvariantCulture),
        });

    private static string QueryHelpers(Dictionary<string, string?> values) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/organize/audit", values.Where(v => !string.IsNullOrEmpty(v.Value)));

    /// <summary>A yyyy-MM-dd date as the start of that day in UTC; null when empty; MinValue when not a date.</summary>
    private static DateTimeOffset? Day(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day)
            ? new DateTimeOffset(day, TimeSpan.Zero)
            : DateTimeOffset.MinValue;
}
