using Events.Web.Content;
using Events.Web.Fair;
using Events.Web.Fair.Applications;
using Events.Web.Live;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Fair;

/// <summary>A company's booth at a job fair: its profile, website, and its positions, open ones first.</summary>
[RequestFormLimits(MultipartBodyLengthLimit = MostRequest)]
[RequestSizeLimit(MostRequest)]
public sealed class BoothModel(ContentStore content, Events.Silo.EventClock clock, LiveGrains grains, BoothStaff staff, Events.Silo.LiveOptions options, UiText text, Applications applications, Events.Silo.Fair.FairOptions fair, Events.Streaming.LiveKitOptions liveKit) : MessagePage
{
    /// <summary>A resume's limit and room for the form around it: a larger file is told it is too large, one far larger is cut off by the server.</summary>
    private const long MostRequest = 8 * 1024 * 1024;

    /// <summary>The signed-in student's applications to this company, by position.</summary>
    public IReadOnlyDictionary<string, JobApplication> Mine { get; private set; } = new Dictionary<string, JobApplication>();

    /// <summary>The position a refused application was for (its form is shown open with the message).</summary>
    public string? FailedPosition { get; private set; }

    /// <summary>For the company's representatives: how many applications the booth has received.</summary>
    public int? ApplicationCount { get; private set; }

    public int MaxChatLength => options.MaxChatLength;

    /// <summary>The booth's live session: its visitors here now and its chat.</summary>
    public string SessionId { get; private set; } = "";
    public Events.Silo.Live.SessionSnapshot Snapshot { get; private set; } = null!;
    public Events.Silo.Caller Caller { get; private set; } = Events.Silo.Caller.Anonymous;

    /// <summary>The platform's moderators and the company's own representatives.</summary>
    public bool CanModerate { get; private set; }
    public bool ChatOpen { get; private set; }
    public string ClientText { get; private set; } = "{}";

    /// <summary>The caller represents this booth's company: the page shows the queue's console instead of the student's place.</summary>
    public bool IsRep { get; private set; }

    /// <summary>The queue as every visitor sees it, as the page was made.</summary>
    public Events.Silo.Fair.QueueView? Queue => Snapshot.Queue;

    public int AnswerWithinSeconds => (int)fair.AnswerWithin.TotalSeconds;

    /// <summary>The browsers' RTCConfiguration.iceServers, and whether calls go through LiveKit rooms, as JSON for the call script.</summary>
    public string CallConfig => System.Text.Json.JsonSerializer.Serialize(new
    {
        iceServers = fair.IceServers.Select(url => url.StartsWith("stun:", StringComparison.Ordinal)
            ? (object)new { urls = url }
            : new { urls = url, username = fair.TurnUsername, credential = fair.TurnCredential }).ToArray(),
        livekit = liveKit.Enabled,
    });

    /// <summary>Talks held at this booth (sessions of the live engine with <c>booth:</c>), by their start.</summary>
    public IReadOnlyList<SessionItem> Talks { get; private set; } = [];

    /// <summary>The events' clock now, for "live now" beside a talk.</summary>
    public DateTimeOffset Now { get; private set; }

    public FairDirectory Directory { get; private set; } = null!;
    public CompanyItem Company { get; private set; } = null!;
    public IReadOnlyList<PositionItem> Open { get; private set; } = [];
    public IReadOnlyList<PositionItem> Closed { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string slug, string company) => await LoadAsync(slug, company) ? Page() : NotFound();

    public async Task<IActionResult> OnPostApplyAsync(string slug, string company, string position, IFormFile? resume, string? message)
    {
        if (!await LoadAsync(slug, company))
        {
            return NotFound();
        }
        if (Caller.UserId is not { } me)
        {
            return Challenge();
        }
        FailedPosition = position;
        if (Company.Positions.FirstOrDefault(p => p.Id == position) is not { } job)
        {
            return NotFound();
        }
        if (!Open.Contains(job))
        {
            return Say(text["fair.apply.closed"], error: true);
        }
        var applied = await applications.ApplyAsync(me, Directory.Fair.Slug, Company, job, resume, message, HttpContext.RequestAborted);
        if (applied.Problem is { } problem)
        {
            return Say(text[problem], error: true);
        }
        TempData["fair.sent"] = text.Format("fair.apply.sent", Company.Name.Get(text.IsChinese), job.Title.Get(text.IsChinese));
        return Redirect("/fair/applications");
    }

    private async Task<bool> LoadAsync(string slug, string company)
    {
        if (FairDirectory.For(content.Current, slug) is not { } directory || directory.FindBooth(company) is not { } booth)
        {
            return false;
        }
        Directory = directory;
        Company = booth;
        Talks = content.Current.TalksAtBooth(booth.Slug);
        Now = clock.GetUtcNow();
        var today = directory.Today(clock);
        Open = booth.Positions.Where(p => FairDirectory.IsOpen(p, today)).ToArray();
        Closed = booth.Positions.Where(p => !FairDirectory.IsOpen(p, today)).ToArray();
        SessionId = BoothSessions.Of(booth.Slug);
        Caller = await staff.InSessionAsync(Accounts.CallerFactory.From(User), SessionId);
        CanModerate = Caller.CanModerate;
        Snapshot = await grains.Session(SessionId).PeekAsync(Caller);
        // The booth's chat is open while the fair runs (the session rule: ended once its time is over).
        ChatOpen = Snapshot.Settings.Status != "ended";
        ClientText = System.Text.Json.JsonSerializer.Serialize(text.ClientStrings());
        if (Caller.UserId is { } userId)
        {
            Mine = (await applications.MineAsync(userId, directory.Fair.Slug)).Where(a => a.Company == booth.Slug).ToDictionary(a => a.Position);
            if (await staff.RepresentsAsync(userId, booth.Slug))
            {
                IsRep = true;
                ApplicationCount = await applications.CountAsync(booth.Slug);
            }
        }
        return true;
    }
}
