using Events.Web.Content;
using Events.Web.Fair;
using Events.Web.Live;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages.Fair;

/// <summary>A company's booth at a job fair: its profile, website, and its positions, open ones first.</summary>
public sealed class BoothModel(ContentStore content, Events.Silo.EventClock clock, LiveGrains grains, BoothStaff staff, Events.Silo.LiveOptions options, UiText text) : PageModel
{
    public int MaxChatLength => options.MaxChatLength;

    /// <summary>The booth's live session: its visitors here now and its chat.</summary>
    public string SessionId { get; private set; } = "";
    public Events.Silo.Live.SessionSnapshot Snapshot { get; private set; } = null!;
    public Events.Silo.Caller Caller { get; private set; } = Events.Silo.Caller.Anonymous;

    /// <summary>The platform's moderators and the company's own representatives.</summary>
    public bool CanModerate { get; private set; }
    public bool ChatOpen { get; private set; }
    public string ClientText { get; private set; } = "{}";

    public FairDirectory Directory { get; private set; } = null!;
    public CompanyItem Company { get; private set; } = null!;
    public IReadOnlyList<PositionItem> Open { get; private set; } = [];
    public IReadOnlyList<PositionItem> Closed { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string slug, string company)
    {
        if (FairDirectory.For(content.Current, slug) is not { } directory || directory.FindBooth(company) is not { } booth)
        {
            return NotFound();
        }
        Directory = directory;
        Company = booth;
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
        return Page();
    }
}
