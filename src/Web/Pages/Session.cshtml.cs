using System.Text.Json;
using Events.Silo;
using Events.Silo.Live;
using Events.Silo.Store;
using Events.Silo.Streams;
using Events.Web.Accounts;
using Events.Web.Content;
using Events.Streaming;
using Events.Streaming.Rtmp;
using Events.Web.Live;
using Events.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Events.Web.Pages;

/// <summary>The watch page: everything is rendered on the server from the session's current state, then the script keeps it live.</summary>
public sealed class SessionModel(ContentStore content, PublicAddress address, LiveGrains grains, ReplayTimelines timelines, RtmpIngest rtmp, StreamingOptions streaming, LiveOptions options, UiText text) : PageModel
{
    public int MaxChatLength => options.MaxChatLength;

    public SessionItem Session { get; private set; } = null!;

    /// <summary>The company whose booth this talk is held at, if it is a booth talk.</summary>
    public CompanyItem? Booth { get; private set; }
    public EventItem? Event { get; private set; }
    public IReadOnlyList<SpeakerItem> Speakers { get; private set; } = [];

    /// <summary>The contest projects pitching in this session, in running order (an audience vote can take them as its options).</summary>
    public IReadOnlyList<string> RunningOrder => Session.RunningOrder;

    /// <summary>The titles of the session's projects in the reader's language, by slug: a round's option that stands for a project shows it (its stored label is the English title).</summary>
    public IReadOnlyDictionary<string, string> ProjectTitles { get; private set; } = new Dictionary<string, string>();

    /// <summary>The label to show for an option: its project's title in the reader's language, else its label.</summary>
    public string LabelOf(OptionView option) => option.Project is { } p && ProjectTitles.TryGetValue(p, out var title) ? title : option.Label;
    /// <summary>The voting page's public address (its QR code's), without the scheme.</summary>
    public string VoteAddress { get; private set; } = "";

    public SessionSnapshot Snapshot { get; private set; } = null!;
    public SessionState State { get; private set; }
    public string ClientText { get; private set; } = "{}";

    /// <summary>For organizers: the ingest URL with the session's secret key (null for everyone else).</summary>
    public string? IngestUrl { get; private set; }

    public string? StreamKey { get; private set; }

    /// <summary>For organizers, OBS's settings: the RTMP server and stream key; or why RTMP is not offered here.</summary>
    public string? RtmpServer { get; private set; }

    public string? RtmpKey { get; private set; }

    public string? RtmpProblem => rtmp.Problem;

    /// <summary>Whether organizers are offered a LiveKit stage (a LiveKit server is configured).</summary>
    public bool LiveKitEnabled => streaming.LiveKit.Enabled;

    /// <summary>When the session's last broadcast is a replay: its chapters, and where the page's script fetches its chat.</summary>
    public ReplayTimeline? Replay { get; private set; }

    public string? TimelineUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug)
    {
        var catalog = content.Current;
        if (catalog.FindSession(slug) is not { } found)
        {
            return NotFound();
        }
        Session = found;
        Event = catalog.FindEvent(found.EventSlug);
        Booth = found.Booth is { } company ? catalog.FindCompany(company) : null;
        Speakers = found.Speakers.Select(catalog.FindSpeaker).OfType<SpeakerItem>().ToArray();
        var caller = CallerFactory.From(User);
        Snapshot = await grains.Session(slug).PeekAsync(caller);
        if (Snapshot.Stream is { State: "ended", Playlist: { } playlist } && playlist.Split('/') is [_, "hls", _, var broadcastId, _])
        {
            Replay = await timelines.GetAsync(slug, broadcastId, HttpContext.RequestAborted);
            TimelineUrl = Replay is null ? null : $"/replays/{slug}/{broadcastId}/timeline";
        }
        if (caller.CanOrganize && (await grains.Stream(slug).GetKeyAsync(caller)).Value is { } key)
        {
            StreamKey = key.Key;
            IngestUrl = $"{Request.Scheme}://{Request.Host}/ingest/{slug}/{key.Key}/index.m3u8";
            RtmpServer = streaming.Rtmp.PublicUrl ?? $"rtmp://{Request.Host.Host}:{streaming.Rtmp.Port}/live";
            RtmpKey = RtmpName.Of(slug, key.Key);
        }
        // The grain applies the one rule of SessionStates (status and schedule); the page shows what it says.
        State = SessionStateText.Of(Enum.Parse<SessionStatus>(Snapshot.Settings.Status, ignoreCase: true));
        ClientText = JsonSerializer.Serialize(text.ClientStrings());
        var vote = new Uri(address.Link(VotePage.PathOf(slug)));
        VoteAddress = vote.Authority + vote.AbsolutePath;
        ProjectTitles = found.RunningOrder.Select(catalog.FindProject).OfType<ProjectItem>().ToDictionary(p => p.Slug, p => p.Title.Get(text.IsChinese), StringComparer.Ordinal);
        return Page();
    }
}
