using System.Text.RegularExpressions;
using Events.Silo;
using Events.Silo.Live;
using Events.Silo.Store;
using Events.Silo.Streams;
using Events.Silo.Voting;
using Events.Web.Accounts;
using Events.Web.Accounts.Audit;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

/// <summary>
/// The one live hub (/hubs/live, WebSockets only). It authenticates (cookie or bearer), validates
/// arguments, applies per-person rate limits and delegates to grains; the rules live in the grains.
/// Roles per method are listed in docs/live-api.md and checked by the grains.
/// </summary>
public sealed partial class LiveHub(LiveGrains grains, ISessionCatalog catalog, SessionRelay relay, RateGate rates, SanctionNames sanctionNames,
    Events.Streaming.LiveKitOptions liveKit, ReplayEditor replays, TimeProvider time, MemberAccess access, Events.Web.Accounts.Audit.AuditLog audit,
    IServiceScopeFactory scopes, VoteSignals signals, Content.ContentStore content, Fair.BoothStaff boothStaff, Fair.CallRelay calls) : Hub<ILiveClient>
{
    /// <summary>Sessions one connection may have joined at once (a visitor walking between booths keeps a few).</summary>
    public const int MaxSessionsPerConnection = 8;

    public const string ViewerCookie = "vid";

    private const string JoinedKey = "joined";

    private const string ViewedKey = "viewed";
    private const string OriginKey = "origin";

    public static string GroupOf(string sessionId) => "s:" + sessionId;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ClientIdPattern();

    /// <summary>The caller as the account stands now: a role granted or removed, or a sign-out everywhere, applies to an open connection too.</summary>
    private Caller Me => CallerFactory.From(User);

    private System.Security.Claims.ClaimsPrincipal? User => Context.User is { } user ? access.Apply(user) : null;

    private HashSet<string> Joined => (HashSet<string>)Context.Items[JoinedKey]!;

    /// <summary>Sessions whose grain has counted this connection's view: a join that failed counts on its retry.</summary>
    private HashSet<string> Viewed => (HashSet<string>)Context.Items[ViewedKey]!;

    public override Task OnConnectedAsync()
    {
        Context.Items[JoinedKey] = new HashSet<string>(StringComparer.Ordinal);
        Context.Items[ViewedKey] = new HashSet<string>(StringComparer.Ordinal);
        // Read while the connection's request is surely current; a vote's signal uses it.
        Context.Items[OriginKey] = VoteSignals.OriginOf(Context.GetHttpContext());
        return Task.CompletedTask;
    }

    /// <summary>Only this node's count changes; its next report carries it to the session's grain.</summary>
    public override Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var sessionId in Joined)
        {
            relay.Left(sessionId);
        }
        return Task.CompletedTask;
    }

    private ILiveSessionGrain Session(string sessionId) => grains.Session(sessionId);

    private IVoteRoundGrain Round(string roundId) => grains.Round(roundId);

    /// <summary>
    /// Joins a session's audience and returns its whole state. Anyone may call it. Joining again
    /// on the same connection (after a gap in the updates) returns a fresh snapshot and counts no new view.
    /// </summary>
    public async Task<HubResult<SessionSnapshot>> JoinSession(string sessionId)
    {
        if (CheckSession(sessionId) is { } invalid)
        {
            return invalid;
        }
        var subscribed = Joined.Contains(sessionId);
        if (!subscribed && Joined.Count >= MaxSessionsPerConnection)
        {
            return LiveError.TooManySessions(MaxSessionsPerConnection);
        }
        if (Limit("join") is { } limited)
        {
            return limited;
        }
        AudienceReport node;
        if (subscribed)
        {
            node = await relay.ReportOfAsync(sessionId);
        }
        else
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(sessionId));
            Joined.Add(sessionId);
            node = await relay.JoinedAsync(sessionId);
        }
        var me = Me;
        var snapshot = await Session(sessionId).JoinAsync(node, ViewerKey(me), Viewed.Contains(sessionId), me);
        Viewed.Add(sessionId);
        return new HubResult<SessionSnapshot>(true, snapshot, null);
    }

    /// <summary>Leaves a session's audience. Anyone may call it.</summary>
    public async Task<HubResult<bool>> LeaveSession(string sessionId)
    {
        if (CheckSession(sessionId) is { } invalid)
        {
            return invalid;
        }
        if (!Joined.Remove(sessionId))
        {
            return LiveError.NotJoined(sessionId);
        }
        Viewed.Remove(sessionId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(sessionId));
        relay.Left(sessionId);
        return new HubResult<bool>(true, true, null);
    }

    /// <summary>Sends a chat message. Members.</summary>
    public async Task<HubResult<ChatAck>> SendChat(string sessionId, string text, string clientMessageId)
    {
        if ((CheckJoined(sessionId) ?? CheckClientId(clientMessageId, nameof(clientMessageId)) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (text is null)
        {
            return LiveError.InvalidArgument(nameof(text), "is required");
        }
        // Checked here, before the grain call: a call to a grain on another node carries text as
        // UTF-8, which would turn a lone surrogate into U+FFFD and let it through.
        if (!TextRules.IsClean(text))
        {
            return LiveError.InvalidArgument(nameof(text), "must not contain control characters or malformed Unicode");
        }
        if (Limit("chat") is { } limited)
        {
            return limited;
        }
        var me = Me;
        return HubResult<ChatAck>.From(await Session(sessionId).PostChatAsync(me, text, clientMessageId));
    }

    /// <summary>Adds a reaction ("like" or "applause"). Members.</summary>
    public async Task<HubResult<ReactionAck>> React(string sessionId, string kind)
    {
        if ((CheckJoined(sessionId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (kind is null)
        {
            return LiveError.InvalidArgument(nameof(kind), "is required");
        }
        if (Limit("react") is { } limited)
        {
            return limited;
        }
        var me = Me;
        return HubResult<ReactionAck>.From(await Session(sessionId).ReactAsync(me, kind));
    }

    /// <summary>Casts a vote (a ballot of one option) in an open round. Members (verified members for rounds that ask for them).</summary>
    public Task<HubResult<VoteAck>> CastVote(string roundId, string optionId, string clientVoteId) =>
        CastBallot(roundId, [optionId], clientVoteId);

    /// <summary>Casts a ballot of one to the round's maxChoices distinct options. Members (verified members for rounds that ask for them).</summary>
    public async Task<HubResult<VoteAck>> CastBallot(string roundId, string[] optionIds, string clientVoteId)
    {
        if ((CheckRoundId(roundId) ?? CheckClientId(clientVoteId, nameof(clientVoteId)) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (optionIds is null || optionIds.Length is 0 or > 20)
        {
            return LiveError.InvalidArgument(nameof(optionIds), "must name 1 to 20 options");
        }
        foreach (var optionId in optionIds)
        {
            if (string.IsNullOrEmpty(optionId) || optionId.Length > 8)
            {
                return LiveError.InvalidOption(optionId ?? "");
            }
        }
        if (Limit("vote") is { } limited)
        {
            return limited;
        }
        var me = Me;
        var cast = await Round(roundId).CastBallotAsync(me, optionIds, clientVoteId);
        if (cast.IsOk && cast.Value!.Status == "accepted")
        {
            signals.Record(roundId, me, Context.Items[OriginKey] as VoteSignals.Origin, Context.User);
        }
        return HubResult<VoteAck>.From(cast);
    }

    private static string Truncate(string text, int most) => text.Length <= most ? text : text[..(most - 1)] + "…";

    /// <summary>Deletes a message for everyone. Moderators, organizers, administrators.</summary>
    public Task<HubResult<bool>> DeleteMessage(string sessionId, long messageId) =>
        Moderate(sessionId, (g, me) => g.DeleteMessageAsync(me, messageId), AuditActions.MessageDeleted, $"{sessionId} #{messageId}");

    /// <summary>Mutes a user in the session for 1 to 10,080 minutes; 0 lifts the mute. Moderators.</summary>
    public Task<HubResult<bool>> MuteUser(string sessionId, string userId, int minutes) =>
        CheckUserId(userId) ?? Moderate(sessionId, async (g, me) => await g.MuteAsync(me, userId, await RolesOfAsync(userId), minutes), AuditActions.Muted, userId, minutes == 0 ? $"{sessionId}: lifted" : $"{sessionId}: {minutes} min");

    /// <summary>Bans (true) or unbans (false) a user from chat and reactions in the session. Moderators.</summary>
    public Task<HubResult<bool>> BanUser(string sessionId, string userId, bool banned) =>
        CheckUserId(userId) ?? Moderate(sessionId, async (g, me) => await g.BanAsync(me, userId, await RolesOfAsync(userId), banned), banned ? AuditActions.Banned : AuditActions.Unbanned, userId, sessionId);

    /// <summary>Sets slow mode: members may send one message per this many seconds (0 to 3,600; 0 turns it off). Moderators.</summary>
    public Task<HubResult<bool>> SetSlowMode(string sessionId, int seconds) =>
        Moderate(sessionId, (g, me) => g.SetSlowModeAsync(me, seconds), AuditActions.SlowMode, sessionId, seconds == 0 ? "off" : $"{seconds} s");

    /// <summary>Pins a message above the chat, or unpins with null. Moderators.</summary>
    public Task<HubResult<bool>> PinMessage(string sessionId, long? messageId) =>
        Moderate(sessionId, (g, me) => g.PinAsync(me, messageId), AuditActions.MessagePinned, sessionId, messageId is null ? "unpinned" : $"#{messageId}");

    /// <summary>The session's secret ingest key (made at the first ask), for the control room. Organizers.</summary>
    public Task<HubResult<StreamKeyView>> GetStreamKey(string sessionId) =>
        StreamKeyAsync(sessionId, (g, me) => g.GetKeyAsync(me));

    /// <summary>A new ingest key for the session; encoders using the old one are refused from their next file. Organizers.</summary>
    public Task<HubResult<StreamKeyView>> RegenerateStreamKey(string sessionId) =>
        StreamKeyAsync(sessionId, (g, me) => g.RegenerateKeyAsync(me), AuditActions.StreamKeyRenewed);

    private async Task<HubResult<T>> StreamKeyAsync<T>(string sessionId, Func<IStreamGrain, Caller, Task<Outcome<T>>> call, string? auditAction = null)
    {
        if ((CheckSession(sessionId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        var me = Me;
        var outcome = await call(grains.Stream(sessionId), me);
        return auditAction is null ? HubResult<T>.From(outcome) : await AuditedAsync(outcome, me, auditAction, sessionId, null);
    }

    /// <summary>Marks a chapter of the broadcast under way, now: its replay lists it. Organizers.</summary>
    public async Task<HubResult<MarkerView>> AddMarker(string sessionId, string title, string clientMarkerId)
    {
        if ((CheckSession(sessionId) ?? CheckSignedIn() ?? CheckClientId(clientMarkerId, nameof(clientMarkerId))) is { } invalid)
        {
            return invalid;
        }
        var trimmed = title?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxMarkerTitle)
        {
            return LiveError.InvalidArgument(nameof(title), $"must be 1 to {MaxMarkerTitle} characters");
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        var me = Me;
        return await AuditedAsync(await grains.Stream(sessionId).AddMarkerAsync(me, trimmed, clientMarkerId), me, AuditActions.MarkerAdded, sessionId, trimmed);
    }

    /// <summary>The session's replays with their edits, for the control room. Organizers.</summary>
    public Task<HubResult<IReadOnlyList<ReplayAdminView>>> ListReplays(string sessionId) =>
        StreamKeyAsync(sessionId, (g, me) => g.ListReplaysAsync(me));

    /// <summary>
    /// Trims a replay to the segments between <see cref="EditReplayRequest.TrimStart"/> and
    /// <see cref="EditReplayRequest.TrimEnd"/> (seconds of the original; null for its end), and hides
    /// or shows it. Organizers.
    /// </summary>
    public async Task<HubResult<ReplayAdminView>> EditReplay(string sessionId, string broadcastId, EditReplayRequest request)
    {
        if ((CheckSession(sessionId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (!StreamPaths.IsBroadcastId(broadcastId))
        {
            return LiveError.UnknownReplay(broadcastId ?? "");
        }
        if (request is null || !double.IsFinite(request.TrimStart) || request.TrimStart < 0)
        {
            return LiveError.InvalidArgument("trimStart", "must be a number of seconds, 0 or more");
        }
        if (request.TrimEnd is { } end && (!double.IsFinite(end) || end <= request.TrimStart))
        {
            return LiveError.InvalidArgument("trimEnd", "must be null or more seconds than trimStart");
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        var me = Me;
        return await AuditedAsync(await replays.EditAsync(me, sessionId, broadcastId, request.TrimStart, request.TrimEnd, request.Hidden, Context.ConnectionAborted),
            me, AuditActions.ReplayEdited, sessionId + "/" + broadcastId,
            FormattableString.Invariant($"{request.TrimStart:0.#}–{(request.TrimEnd is { } cutEnd ? cutEnd.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) : "end")} s{(request.Hidden ? ", hidden" : "")}"));
    }

    /// <summary>The longest chapter title a marker may have.</summary>
    public const int MaxMarkerTitle = 120;

    /// <summary>Opens the session's LiveKit stage (a room, and an RTMP ingress for OBS) or returns the open one. Organizers.</summary>
    public Task<HubResult<LiveKitStageView>> OpenStage(string sessionId) =>
        StreamKeyAsync(sessionId, (g, me) => g.OpenStageAsync(me), AuditActions.StageOpened);

    /// <summary>The session's LiveKit stage, null when none is open. Organizers.</summary>
    public Task<HubResult<LiveKitStageView?>> GetStage(string sessionId) =>
        StreamKeyAsync(sessionId, (g, me) => g.GetStageAsync(me));

    /// <summary>
    /// A short-lived LiveKit token for the session's stage room: to watch (anyone who joined the
    /// session: subscribe and data, no publishing) or, with <paramref name="publish"/>, to speak
    /// (organizers: camera, microphone and screen). <c>no_stage</c> when the session has no room.
    /// </summary>
    public async Task<HubResult<LiveKitJoin>> GetLiveKitToken(string sessionId, bool publish)
    {
        if (CheckJoined(sessionId) is { } invalid)
        {
            return invalid;
        }
        if (!liveKit.Enabled)
        {
            return LiveError.NoLiveKit();
        }
        var me = Me;
        if (publish && !me.CanOrganize)
        {
            return me.IsSignedIn ? LiveError.Forbidden("organizer") : LiveError.Unauthenticated();
        }
        if (Limit("join") is { } limited)
        {
            return limited;
        }
        var room = await grains.Stream(sessionId).GetRoomAsync();
        if (room is null)
        {
            return LiveError.NoStage(sessionId);
        }
        var identity = LiveKitIdentity(me);
        var grant = publish ? Events.Streaming.LiveKit.LiveKitVideoGrant.Speaker(room) : Events.Streaming.LiveKit.LiveKitVideoGrant.Viewer(room);
        return LiveKitJoinOf(room, identity, grant, me.IsSignedIn ? me.DisplayName : null, publish);
    }

    /// <summary>A LiveKit room's join for this connection: the server's WebSocket URL and a token with the grant.</summary>
    private HubResult<LiveKitJoin> LiveKitJoinOf(string room, string identity, Events.Streaming.LiveKit.LiveKitVideoGrant grant, string? name, bool publish)
    {
        var token = Events.Streaming.LiveKit.LiveKitTokens.Mint(liveKit.ApiKey!, liveKit.ApiSecret!, identity, liveKit.TokenLifetime, time.GetUtcNow(), grant, name: name);
        var url = new UriBuilder(liveKit.Url!) { Scheme = liveKit.Url!.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? "wss" : "ws" }.Uri.ToString().TrimEnd('/');
        return new HubResult<LiveKitJoin>(true, new LiveKitJoin(url, room, identity, token, publish), null);
    }

    /// <summary>One LiveKit identity per connection: LiveKit disconnects an identity that joins twice, and one person may be in two tabs.</summary>
    private string LiveKitIdentity(Caller me) => (me.UserId is { } id ? "u-" + id : "v") + "-" + Context.ConnectionId[..Math.Min(12, Context.ConnectionId.Length)];

    /// <summary>Sets the session's status: "scheduled", "live" or "ended". Organizers.</summary>
    public async Task<HubResult<bool>> SetSessionStatus(string sessionId, string status)
    {
        if ((CheckSession(sessionId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        SessionStatus? parsed = status switch
        {
            "scheduled" => SessionStatus.Scheduled,
            "live" => SessionStatus.Live,
            "ended" => SessionStatus.Ended,
            _ => null,
        };
        if (parsed is null)
        {
            return LiveError.InvalidArgument(nameof(status), "must be \"scheduled\", \"live\" or \"ended\"");
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        var me = Me;
        return await AuditedAsync(await Session(sessionId).SetStatusAsync(me, parsed.Value), me, AuditActions.SessionStatus, sessionId, status);
    }

    /// <summary>Opens a vote round in the session. Organizers.</summary>
    public async Task<HubResult<RoundView>> OpenRound(string sessionId, OpenRoundRequest request)
    {
        if ((CheckSession(sessionId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (request?.Question is null || (request.Options is null && !request.FromRunningOrder))
        {
            return LiveError.InvalidArgument(nameof(request), "needs question and options");
        }
        IReadOnlyList<BallotOption> options;
        if (request.FromRunningOrder)
        {
            if (request.Options is { Count: > 0 })
            {
                return LiveError.InvalidArgument("options", "must be empty when the options are the session's running order");
            }
            var catalog = content.Current;
            var order = catalog.FindSession(sessionId)?.RunningOrder ?? [];
            if (order.Count < 2)
            {
                return LiveError.InvalidArgument("fromRunningOrder", "needs a session whose content lists at least two projects");
            }
            options = order.Select(slug => new BallotOption(Truncate(catalog.FindProject(slug)!.Title.En, 100), slug)).ToArray();
        }
        else
        {
            options = request.Options!.Select(o => new BallotOption(o, null)).ToArray();
        }
        if (CheckClientId(request.ClientCommandId, "clientCommandId") is { } badId)
        {
            return badId;
        }
        if (!TextRules.IsClean(request.Question) || options.Any(o => o.Label is not null && !TextRules.IsClean(o.Label)))
        {
            return LiveError.InvalidArgument("question", "and options must not contain control characters or malformed Unicode");
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        var me = Me;
        var opened = await Session(sessionId).OpenBallotAsync(me, new BallotRequest(request.Question, options, request.ShowTally, request.VerifiedOnly,
            request.MaxChoices ?? 1, request.WindowSeconds, request.ClientCommandId));
        return await AuditedAsync(opened, me, AuditActions.RoundOpened, opened.IsOk ? sessionId + "/" + opened.Value!.RoundId : sessionId, request.Question);
    }

    /// <summary>Closes a round: votes already acknowledged are counted, later ones refused, and the tally is shown. Organizers.</summary>
    public async Task<HubResult<RoundView>> CloseRound(string roundId)
    {
        if ((CheckRoundId(roundId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        var me = Me;
        return await AuditedAsync(await Round(roundId).CloseAsync(me), me, AuditActions.RoundClosed, roundId, null);
    }

    /// <summary>Mutes and bans in force in the session, with the names of the people concerned. Moderators.</summary>
    public async Task<HubResult<IReadOnlyList<SanctionEntry>>> ListSanctions(string sessionId)
    {
        if ((CheckSession(sessionId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        var listed = await Session(sessionId).GetSanctionsAsync(Me);
        if (!listed.IsOk)
        {
            return listed.Error!;
        }
        return new HubResult<IReadOnlyList<SanctionEntry>>(true, await sanctionNames.NameAsync(listed.Value!), null);
    }

    private async Task<HubResult<bool>> Moderate(string sessionId, Func<ILiveSessionGrain, Caller, Task<Outcome<bool>>> action,
        string auditAction, string auditTarget, string? auditDetail = null)
    {
        if ((CheckSession(sessionId) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (Limit("moderate") is { } limited)
        {
            return limited;
        }
        // A company's representatives moderate their own booth's chat.
        var me = await boothStaff.InSessionAsync(Me, sessionId);
        return await AuditedAsync(await action(Session(sessionId), me), me, auditAction, auditTarget, auditDetail);
    }

    /// <summary>The outcome as the caller gets it; a success is written to the audit log first.</summary>
    private async Task<HubResult<T>> AuditedAsync<T>(Outcome<T> outcome, Caller me, string action, string target, string? detail)
    {
        if (outcome.IsOk)
        {
            await audit.WriteAsync(me, Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString(), action, target, detail);
        }
        return HubResult<T>.From(outcome);
    }

    /// <summary>
    /// The roles someone has now (moderation follows rank); an id with no account is a member's.
    /// The account store is opened here, for this rare call: a hub is made for every invocation,
    /// and a UserManager in its constructor made a database context for every vote (18% of the
    /// server's CPU in a vote storm, by profile).
    /// </summary>
    private async Task<LiveRoles> RolesOfAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Member>>();
        var roles = LiveRoles.Member;
        if (await users.FindByIdAsync(userId) is { } member)
        {
            foreach (var role in await users.GetRolesAsync(member))
            {
                roles |= Roles.ToLiveRole(role);
            }
        }
        return roles;
    }

    private static Task<HubResult<bool>>? CheckUserId(string userId) =>
        string.IsNullOrEmpty(userId) || userId.Length > 64
            ? Task.FromResult(HubResult<bool>.Fail(LiveError.InvalidArgument(nameof(userId), "must be a user id")))
            : null;

    private LiveError? CheckSession(string sessionId) =>
        string.IsNullOrEmpty(sessionId) || sessionId.Length > 100 || !SlugPattern().IsMatch(sessionId) || !catalog.Exists(sessionId)
            ? LiveError.UnknownSession(sessionId ?? "")
            : null;

    private LiveError? CheckJoined(string sessionId) =>
        CheckSession(sessionId) ?? (Joined.Contains(sessionId) ? null : LiveError.NotJoined(sessionId));

    private static LiveError? CheckRoundId(string roundId) =>
        string.IsNullOrEmpty(roundId) || roundId.Length > 64 || !ClientIdPattern().IsMatch(roundId) ? LiveError.UnknownRound(roundId ?? "") : null;

    private static LiveError? CheckClientId(string id, string name) =>
        id is null || !ClientIdPattern().IsMatch(id) ? LiveError.InvalidArgument(name, "must be 1 to 64 letters, digits, '-' or '_'") : null;

    private LiveError? CheckSignedIn() => User?.Identity?.IsAuthenticated == true ? null : LiveError.Unauthenticated();

    private LiveError? Limit(string action) =>
        rates.TryTake(RateKey(), action, out var retryAfter) ? null : LiveError.RateLimited(retryAfter);

    private string RateKey() => Me.UserId is { } id ? "u:" + id : "c:" + Context.ConnectionId;

    /// <summary>
    /// Who counts as one unique viewer: the account when signed in, else the browser's viewer cookie
    /// (set by the pages), else the connection. Anonymous viewers who drop the cookie count again,
    /// as on any platform that counts views without sign-in; signed-in viewers cannot be inflated.
    /// </summary>
    private string ViewerKey(Caller me)
    {
        if (me.UserId is { } id)
        {
            return "u:" + id;
        }
        var cookie = Context.GetHttpContext()?.Request.Cookies[ViewerCookie];
        return cookie is { Length: >= 16 and <= 64 } ? "a:" + cookie : "c:" + Context.ConnectionId;
    }
}

/// <summary>An edit of a replay (EditReplay): the cut to keep, in seconds of the original recording, and whether to hide it.</summary>
public sealed record EditReplayRequest(double TrimStart, double? TrimEnd, bool Hidden);

/// <summary>What a browser needs to join a stage's room with livekit-client: the server's WebSocket URL and its token.</summary>
public sealed record LiveKitJoin(string Url, string Room, string Identity, string Token, bool CanPublish);
