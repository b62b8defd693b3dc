using Events.Web.Accounts;
using Events.Web.Accounts.Audit;
using Events.Web.Accounts.Roster;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Events.Web.Pages.Organize;

/// <summary>
/// The alumni roster for organizers: import the office's CSV (all rows or none; bad rows named by
/// line), see how much of it is claimed, and verify a member by decision, with a reason that goes
/// to the audit log.
/// </summary>
[RequestSizeLimit(RosterApi.MaxFileBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = RosterApi.MaxFileBytes)]
public sealed class RosterModel(RosterImporter importer, AlumniVerification verification, AccountsDbContext db, AuditLog audit, UiText text, Content.ContentStore content) : MessagePage
{
    /// <summary>The contests judged on this platform, each with its judging desk linked from here.</summary>
    public IReadOnlyList<Content.EventItem> JudgedContests => content.Current.Events.Where(e => content.Current.Contest(e.Slug) is not null).ToArray();

    public long Rows { get; private set; }

    public long Claimed { get; private set; }

    public RosterImportResult? Result { get; private set; }

    [BindProperty]
    public string MemberEmail { get; set; } = "";

    [BindProperty]
    public string? StudentNumber { get; set; }

    [BindProperty]
    public string Reason { get; set; } = "";


    public async Task OnGetAsync() => await CountAsync();

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file)
    {
        if (file is null || file.Length == 0)
        {
            await CountAsync();
            return Say(text["roster.nofile"], error: true);
        }
        await using (var stream = file.OpenReadStream())
        {
            Result = await importer.ImportAsync(stream, HttpContext.RequestAborted);
        }
        if (Result.Imported)
        {
            await audit.WriteAsync(User, HttpContext, AuditActions.RosterImported, file.FileName, RosterApi.Summary(Result));
        }
        else
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        await CountAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDecideAsync()
    {
        await CountAsync();
        if (MemberEmail.Trim().Length is 0 or > 256 || Reason.Trim().Length is 0 or > 200 || StudentNumber is { Length: > 32 })
        {
            return Say(text["roster.decidefill"], error: true);
        }
        var outcome = await verification.DecideAsync(User, HttpContext.Connection.RemoteIpAddress?.ToString(), MemberEmail, StudentNumber, Reason.Trim());
        await CountAsync();
        return outcome switch
        {
            VerifyOutcome.Verified => Say(text["roster.decided"], error: false),
            VerifyOutcome.AlreadyVerified => Say(text["roster.already"], error: false),
            VerifyOutcome.UnknownMember => Say(text["roster.nomember"], error: true),
            VerifyOutcome.NoMatch => Say(text["roster.nonumber"], error: true),
            _ => Say(text["verify.claimed"], error: true),
        };
    }

    /// <summary>A problem in the reader's language.</summary>
    public string Describe(RosterProblem problem) => problem.Describe(key => text[key], System.Globalization.CultureInfo.CurrentCulture);


    private async Task CountAsync()
    {
        Rows = await db.Roster.LongCountAsync();
        Claimed = await db.Roster.LongCountAsync(r => r.ClaimedBy != null);
    }
}
