using System.Security.Cryptography;
using Events.Silo.Store;
using Events.Silo.Streams;
using Events.Silo.Voting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Events.Silo.Live;

/// <summary>
/// One live session, one activation in the cluster. It composes the parts that hold the rules
/// (<see cref="Audience"/>, <see cref="ChatAdmission"/>, <see cref="Sanctions"/>,
/// <see cref="PendingUpdate"/>) and does the writing: chat and reactions go through group commits
/// and are acknowledged after their batch committed; rare commands (moderation, status, rounds)
/// are written one at a time. A timer builds one coalesced update per tick and pushes it to every
/// node's relay that reports. Reentrant: turns interleave only at awaits, never in parallel, so
/// a command waiting for its batch does not hold up the others.
/// </summary>
[Reentrant]
public sealed class LiveSessionGrain(
    ISessionStore sessionStore,
    IChatStore chatStore,
    ISanctionStore sanctionStore,
    IRoundStore roundStore,
    IStreamStore streamStore,
    ISessionCatalog catalog, LiveOptions options, EventClock clock, LiveMeters meters,
    IClusterMembershipService membership, ILogger<LiveSessionGrain> logger)
    : Grain, ILiveSessionGrain
{
    public static readonly IReadOnlyList<string> ReactionKinds = ["like", "applause"];

    private const int TrackedRounds = 10;

    private readonly Audience audience = new(options);
    private readonly ChatAdmission admission = new(options);
    private readonly Sanctions sanctions = new();
    private readonly Queue<ChatMessage> recent = new();
    private readonly List<string> roundIds = [];
    private readonly Dictionary<string, RoundView> roundViews = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim commandGate = new(1, 1);

    private string key = "";
    private SessionSchedule? schedule;
    private SessionSettings settings = new(SessionStatus.Scheduled, 0, null);
    private ChatMessage? pinned;
    private StreamView stream = StreamView.Waiting;
    /// <summary>A contest final's results as revealed so far (see <see cref="Contests.IContestGrain"/>), null before the reveal.</summary>
    private Contests.RevealView? results;
    /// <summary>A booth's queue (see <see cref="Fair.IBoothQueueGrain"/>), null for sessions that are not a booth's.</summary>
    private Fair.QueueView? queue;
    private Dictionary<string, long> reactions = new(StringComparer.Ordinal);
    private long lastChatId;
    private PendingUpdate pending = null!;
    private GrainTurns turns = null!;
    private WriteBatcher<ChatDraft, ChatAppend> chatWriter = null!;
    private WriteBatcher<string, long> reactionWriter = null!;
    private IDisposable? timer;
    private long lastSentAt = long.MinValue / 2;
    private string lastWireStatus = "";
    private MembershipVersion silosVersion = MembershipVersion.MinValue;
    private Dictionary<string, SiloStatus> silos = new(StringComparer.Ordinal);

    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private SessionStatus Status => SessionStates.Effective(settings.Status, schedule, clock.GetUtcNow());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        key = this.GetPrimaryKeyString();
        turns = GrainTurns.OfCurrentGrain();
        schedule = catalog.Schedule(key);
        settings = await sessionStore.GetSessionAsync(key);
        audience.Load(await sessionStore.GetCountersAsync(key));
        reactions = new Dictionary<string, long>(await sessionStore.GetReactionsAsync(key), StringComparer.Ordinal);
        foreach (var kind in ReactionKinds)
        {
            reactions.TryAdd(kind, 0);
        }
        foreach (var m in await chatStore.GetRecentChatAsync(key, options.RecentChat))
        {
            recent.Enqueue(m);
            lastChatId = m.Id;
        }
        sanctions.Load(await sanctionStore.GetSanctionsAsync(key));
        roundIds.AddRange((await roundStore.GetRoundsAsync(key)).Select(r => r.RoundId));
        foreach (var id in TrackedRoundIds())
        {
            if (await Round(id).ViewAsync() is { } view)
            {
                roundViews[id] = view;
            }
        }
        pinned = settings.PinnedMessageId is { } pin ? await chatStore.GetChatMessageAsync(key, pin) : null;
        stream = StreamPaths.ViewOf(await streamStore.GetBroadcastsAsync(key));
        if (catalog.ContestOfFinal(key) is { } contest)
        {
            results = await GrainFactory.GetGrain<Contests.IContestGrain>(contest).CurrentRevealAsync();
        }
        if (key.StartsWith(Fair.BoothQueueGrain.BoothPrefix, StringComparison.Ordinal) && key.Length > Fair.BoothQueueGrain.BoothPrefix.Length)
        {
            queue = await GrainFactory.GetGrain<Fair.IBoothQueueGrain>(key[Fair.BoothQueueGrain.BoothPrefix.Length..]).ViewAsync();
        }
        lastWireStatus = SessionStates.Wire(Status);
        // Numbered from the real clock, not the events' clock: a rehearsal clock (Clock:StartAt) starts
        // when its node starts, so on a node started later it is behind, and an activation there would
        // number below the one before it (every relay would drop its updates as old).
        pending = new PendingUpdate(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        if (Status == SessionStatus.Ended && settings.Status != SessionStatus.Ended)
        {
            // Over by its schedule while no grain was active: its rounds close as at an end.
            _ = CloseOpenRoundsAsync();
        }
        chatWriter = new WriteBatcher<ChatDraft, ChatAppend>((c, _) => turns.RunAsync(() => CommitChatAsync(c)), options.MaxBatch, options.BatchLinger, options.WriteQueueCapacity, meters.RecordChatBatch);
        reactionWriter = new WriteBatcher<string, long>((k, _) => turns.RunAsync(() => CommitReactionsAsync(k)), options.MaxBatch, options.BatchLinger, options.WriteQueueCapacity, meters.RecordReactionBatch);
        var poll = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, options.Tick.Ticks / 4));
        timer = this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions(poll, poll) { Interleave = true });
    }

    /// <summary>Everything queued is committed before the grain goes (a node shutting down hands its grains over with nothing lost).</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        timer?.Dispose();
        await chatWriter.DisposeAsync();
        await reactionWriter.DisposeAsync();
        if (audience.TakeFlush(Environment.TickCount64, force: true) is { } flush)
        {
            await FlushPresenceAsync(flush);
        }
    }

    private IVoteRoundGrain Round(string roundId) => GrainFactory.GetGrain<IVoteRoundGrain>(roundId);

    // ---- audience -------------------------------------------------------------------------

    public async Task<SessionSnapshot> JoinAsync(AudienceReport node, string viewerKey, bool rejoin, Caller caller)
    {
        audience.Report(node, Environment.TickCount64);
        if (!rejoin)
        {
            // A view of a session whose broadcast ended with a playlist is a view of its replay.
            audience.CountView(viewerKey, replay: stream is { State: "ended", Playlist: not null });
        }
        return await SnapshotAsync(caller);
    }

    public Task<SessionSnapshot> PeekAsync(Caller caller) => SnapshotAsync(caller);

    public Task ReportAudienceAsync(AudienceReport report)
    {
        audience.Report(report, Environment.TickCount64);
        return Task.CompletedTask;
    }

    public Task NodeLeftAsync(string nodeId)
    {
        audience.Forget(nodeId);
        return Task.CompletedTask;
    }

    private async Task<SessionSnapshot> SnapshotAsync(Caller caller)
    {
        var votes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (caller.UserId is { } userId)
        {
            var ids = TrackedRoundIds().ToArray();
            var options = await Task.WhenAll(ids.Select(id => Round(id).VoteOfAsync(userId)));
            for (var i = 0; i < ids.Length; i++)
            {
                if (options[i] is { } option)
                {
                    votes[ids[i]] = option;
                }
            }
        }
        var now = NowMs;
        var you = new YouView(caller.UserId, caller.DisplayName, caller.IsSignedIn, caller.CanModerate, caller.CanOrganize,
            caller.UserId is { } u && sanctions.Active(u, SanctionKind.Mute, now) is not null,
            caller.UserId is { } b && sanctions.Active(b, SanctionKind.Ban, now) is not null,
            votes);
        var rounds = TrackedRoundIds().Select(id => roundViews.GetValueOrDefault(id)).OfType<RoundView>().ToArray();
        return new SessionSnapshot(key, pending.Seq, audience.Counts(), new Dictionary<string, long>(reactions), recent.Select(ChatView.From).ToArray(),
            Settings(), rounds, you, stream, now, results, queue);
    }

    private async Task FlushPresenceAsync(PresenceFlush flush)
    {
        try
        {
            var stored = await sessionStore.RecordPresenceAsync(key, flush.ViewerKeys, flush.Views, flush.ReplayViews, flush.PeakCandidate, NowMs);
            audience.FlushSucceeded(flush, stored);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Writing the audience figures of session {Session} failed; they are written on a later tick", key);
            audience.FlushFailed();
        }
    }

    // ---- chat -----------------------------------------------------------------------------

    public async Task<Outcome<ChatAck>> PostChatAsync(Caller author, string text, string clientMessageId)
    {
        if (!author.IsSignedIn)
        {
            return LiveError.Unauthenticated();
        }
        var userId = author.UserId!;
        var commandKey = ChatAdmission.CommandKey(userId, clientMessageId);
        if (admission.Earlier(commandKey) is { } earlier)
        {
            return await earlier;
        }
        var body = text.Trim();
        var now = NowMs;
        if (admission.Check(author, body, Status, key, sanctions, settings.SlowModeSeconds, now) is { } refusal)
        {
            return refusal;
        }
        if (!chatWriter.TryEnqueue(new ChatDraft(key, userId, author.DisplayName, body, clientMessageId, now, StaffBadges.For(author.Roles)), out var committed))
        {
            return LiveError.TryAgain();
        }
        var answer = new TaskCompletionSource<Outcome<ChatAck>>();
        var previousStamp = admission.Admitted(userId, commandKey, now, answer.Task);
        Outcome<ChatAck> outcome;
        try
        {
            var appended = await committed;
            outcome = new ChatAck(appended.Message.Id, appended.Message.SentAtMs);
        }
        catch (Exception)
        {
            admission.Failed(userId, commandKey, now, previousStamp);
            outcome = LiveError.TryAgain();
        }
        answer.SetResult(outcome);
        return outcome;
    }

    /// <summary>
    /// Writes a batch, then reads every message after the last one shown, in id order, into the
    /// next update: a retry whose first commit's reply was lost shows once, and messages a previous
    /// activation committed but never sent show too. Appends to a session are serialized (one
    /// commit at a time per batcher, and the store's contract), so ids grow in commit order.
    /// </summary>
    private async Task<IReadOnlyList<ChatAppend>> CommitChatAsync(IReadOnlyList<ChatDraft> drafts)
    {
        var appended = await chatStore.AppendChatAsync(drafts);
        await CatchUpChatAsync();
        return appended;
    }

    private async Task CatchUpChatAsync()
    {
        while (true)
        {
            var newer = await chatStore.GetChatAfterAsync(key, lastChatId, 1000);
            foreach (var m in newer)
            {
                if (m.Id <= lastChatId)
                {
                    continue;
                }
                recent.Enqueue(m);
                while (recent.Count > options.RecentChat)
                {
                    recent.Dequeue();
                }
                pending.AddChat(ChatView.From(m));
                lastChatId = m.Id;
            }
            if (newer.Count < 1000)
            {
                return;
            }
        }
    }

    // ---- reactions ------------------------------------------------------------------------

    public async Task<Outcome<ReactionAck>> ReactAsync(Caller caller, string kind)
    {
        if (!caller.IsSignedIn)
        {
            return LiveError.Unauthenticated();
        }
        if (!ReactionKinds.Contains(kind))
        {
            return LiveError.InvalidArgument("kind", $"must be one of {string.Join(", ", ReactionKinds)}");
        }
        if (Status == SessionStatus.Ended)
        {
            return LiveError.SessionEnded(key);
        }
        if (sanctions.Active(caller.UserId!, SanctionKind.Ban, NowMs) is not null)
        {
            return LiveError.Banned();
        }
        if (!reactionWriter.TryEnqueue(kind, out var committed))
        {
            return LiveError.TryAgain();
        }
        try
        {
            return new ReactionAck(kind, await committed);
        }
        catch (Exception)
        {
            return LiveError.TryAgain();
        }
    }

    private async Task<IReadOnlyList<long>> CommitReactionsAsync(IReadOnlyList<string> kinds)
    {
        var deltas = kinds.GroupBy(k => k, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        var totals = await sessionStore.AddReactionsAsync(key, deltas);
        foreach (var (kind, total) in totals)
        {
            reactions[kind] = total;
        }
        pending.ReactionsChanged = true;
        return kinds.Select(k => totals.GetValueOrDefault(k)).ToArray();
    }

    // ---- moderation -----------------------------------------------------------------------

    public Task<Outcome<bool>> DeleteMessageAsync(Caller moderator, long messageId) =>
        ModerateAsync(moderator, async () =>
        {
            // A moderator's own messages are theirs to delete; others' only below their rank.
            var message = recent.FirstOrDefault(m => m.Id == messageId) ?? await chatStore.GetChatMessageAsync(key, messageId);
            if (message is not null && message.AuthorId != moderator.UserId && StaffBadges.Rank(message.Badge) >= StaffBadges.Rank(moderator.Roles))
            {
                return LiveError.Outranked();
            }
            if (!await chatStore.DeleteChatAsync(key, messageId, moderator.UserId!, NowMs))
            {
                return LiveError.UnknownMessage(messageId);
            }
            if (pinned?.Id == messageId)
            {
                await sessionStore.SetPinnedAsync(key, null);
            }
            ForgetMessage(messageId);
            return true;
        });

    public Task ForgetAuthorAsync(string userId, string anonymousId)
    {
        ChatMessage Forget(ChatMessage m) => m.AuthorId == userId ? m with { AuthorId = anonymousId, AuthorName = "" } : m;
        var kept = recent.Select(Forget).ToArray();
        recent.Clear();
        foreach (var m in kept)
        {
            recent.Enqueue(m);
        }
        if (pinned is not null)
        {
            pinned = Forget(pinned);
        }
        sanctions.Remove(userId, SanctionKind.Mute);
        sanctions.Remove(userId, SanctionKind.Ban);
        return Task.CompletedTask;
    }

    /// <summary>Takes a deleted message out of the recent chat, the pending update and the pin, and announces its deletion.</summary>
    private void ForgetMessage(long messageId)
    {
        if (recent.Any(m => m.Id == messageId))
        {
            var kept = recent.Where(m => m.Id != messageId).ToArray();
            recent.Clear();
            foreach (var m in kept)
            {
                recent.Enqueue(m);
            }
        }
        pending.Deleted(messageId);
        if (pinned?.Id == messageId)
        {
            pinned = null;
            settings = settings with { PinnedMessageId = null };
            pending.SettingsChanged = true;
        }
    }

    public Task<Outcome<bool>> MuteAsync(Caller moderator, string userId, LiveRoles targetRoles, int minutes) =>
        minutes is < 0 or > 10_080
            ? Task.FromResult<Outcome<bool>>(LiveError.InvalidArgument("minutes", "must be between 0 and 10080"))
            : SanctionAsync(moderator, userId, targetRoles, SanctionKind.Mute, minutes == 0 ? null : NowMs + minutes * 60_000L, lift: minutes == 0);

    public Task<Outcome<bool>> BanAsync(Caller moderator, string userId, LiveRoles targetRoles, bool banned) =>
        SanctionAsync(moderator, userId, targetRoles, SanctionKind.Ban, null, lift: !banned);

    private Task<Outcome<bool>> SanctionAsync(Caller moderator, string userId, LiveRoles targetRoles, SanctionKind kind, long? untilMs, bool lift) =>
        ModerateAsync(moderator, async () =>
        {
            if (userId == moderator.UserId)
            {
                return LiveError.NotYourself();
            }
            if (StaffBadges.Rank(targetRoles) >= StaffBadges.Rank(moderator.Roles))
            {
                return LiveError.Outranked();
            }
            if (lift)
            {
                await sanctionStore.RemoveSanctionAsync(key, userId, kind);
                sanctions.Remove(userId, kind);
            }
            else
            {
                var sanction = new Sanction(key, userId, kind, untilMs, moderator.UserId!);
                await sanctionStore.SetSanctionAsync(sanction, NowMs);
                sanctions.Set(sanction);
            }
            return true;
        });

    public Task<Outcome<IReadOnlyList<SanctionView>>> GetSanctionsAsync(Caller moderator) =>
        Task.FromResult(moderator.CanModerate
            ? Outcome<IReadOnlyList<SanctionView>>.Ok(sanctions.InForce(NowMs))
            : LiveError.Forbidden("moderator"));

    public Task<Outcome<bool>> SetSlowModeAsync(Caller moderator, int seconds) =>
        seconds is < 0 or > 3600
            ? Task.FromResult<Outcome<bool>>(LiveError.InvalidArgument("seconds", "must be between 0 and 3600"))
            : ModerateAsync(moderator, async () =>
            {
                await sessionStore.SetSlowModeAsync(key, seconds);
                settings = settings with { SlowModeSeconds = seconds };
                pending.SettingsChanged = true;
                return true;
            });

    public Task<Outcome<bool>> PinAsync(Caller moderator, long? messageId) =>
        ModerateAsync(moderator, async () =>
        {
            ChatMessage? message = null;
            if (messageId is { } id && (message = await chatStore.GetChatMessageAsync(key, id)) is null)
            {
                return LiveError.UnknownMessage(id);
            }
            await sessionStore.SetPinnedAsync(key, messageId);
            pinned = message;
            settings = settings with { PinnedMessageId = messageId };
            pending.SettingsChanged = true;
            return true;
        });

    public async Task<Outcome<bool>> SetStatusAsync(Caller organizer, SessionStatus status)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        return await CommandAsync<bool>(async () =>
        {
            var closedRounds = new List<RoundView>();
            if (status == SessionStatus.Ended)
            {
                // Rounds close first: a vote acknowledged before the end counts, none after it.
                foreach (var round in await roundStore.GetRoundsAsync(key))
                {
                    if (round.Status != RoundStatus.Open)
                    {
                        continue;
                    }
                    var closed = await Round(round.RoundId).CloseAsync(organizer);
                    if (!closed.IsOk)
                    {
                        return LiveError.TryAgain();
                    }
                    closedRounds.Add(closed.Value!);
                }
            }
            await sessionStore.SetSessionStatusAsync(key, status, NowMs);
            // The closed rounds and the end go into the same update (RoundChangedAsync completes at
            // once, so no tick runs in between), not whenever each round's own notice arrives.
            foreach (var closed in closedRounds)
            {
                await RoundChangedAsync(closed);
            }
            settings = settings with { Status = status };
            pending.SettingsChanged = true;
            lastWireStatus = SessionStates.Wire(Status);
            return true;
        });
    }

    /// <summary>Who moves a session's status when its stream starts or ends.</summary>
    private static readonly Caller Encoder = new("stream", "Stream", LiveRoles.Organizer);

    /// <summary>
    /// The session follows its stream: the first playlist of a broadcast takes it live (from
    /// scheduled, or again after an end), and a playlist that ends takes it to ended, closing its
    /// rounds as an organizer's end does. An interruption changes only what the player says.
    /// </summary>
    public async Task StreamChangedAsync(StreamView view)
    {
        var was = stream;
        stream = view;
        pending.StreamChanged = true;
        if (view.State == "live" && was.State != "live" && was.State != "interrupted" && settings.Status != SessionStatus.Live)
        {
            await SetStatusAsync(Encoder, SessionStatus.Live);
        }
        else if (view.State == "ended" && was.State != "ended" && settings.Status == SessionStatus.Live)
        {
            await SetStatusAsync(Encoder, SessionStatus.Ended);
        }
    }

    /// <summary>Who closes the rounds of a session whose scheduled end passed without it going live.</summary>
    private static readonly Caller Schedule = new("schedule", "Schedule", LiveRoles.Organizer);

    /// <summary>Closes the open rounds of a session that is over by its schedule; a failure is retried by the next activation.</summary>
    private async Task CloseOpenRoundsAsync()
    {
        var outcome = await CommandAsync<bool>(async () =>
        {
            foreach (var round in await roundStore.GetRoundsAsync(key))
            {
                if (round.Status == RoundStatus.Open && (await Round(round.RoundId).CloseAsync(Schedule)) is { IsOk: true } closed)
                {
                    await RoundChangedAsync(closed.Value!);
                }
            }
            return true;
        });
        if (!outcome.IsOk)
        {
            logger.LogWarning("Closing the rounds of session {Session}, over by its schedule, failed", key);
        }
    }

    private Task<Outcome<bool>> ModerateAsync(Caller moderator, Func<Task<Outcome<bool>>> action) =>
        !moderator.CanModerate ? Task.FromResult<Outcome<bool>>(LiveError.Forbidden("moderator"))
        // Muted or banned here by someone above them, a moderator does not moderate here (nor lift it).
        : sanctions.Active(moderator.UserId!, SanctionKind.Ban, NowMs) is not null || sanctions.Active(moderator.UserId!, SanctionKind.Mute, NowMs) is not null
            ? Task.FromResult<Outcome<bool>>(LiveError.SanctionedModerator())
            : CommandAsync(action);

    /// <summary>
    /// Runs a rare, store-bound command, one at a time so that memory follows the store in the
    /// same order; a store failure answers "try again" with nothing changed in memory.
    /// </summary>
    private async Task<Outcome<T>> CommandAsync<T>(Func<Task<Outcome<T>>> action)
    {
        await commandGate.WaitAsync();
        try
        {
            return await action();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A command on session {Session} failed", key);
            return LiveError.TryAgain();
        }
        finally
        {
            commandGate.Release();
        }
    }

    // ---- rounds ---------------------------------------------------------------------------

    public async Task<Outcome<RoundView>> OpenBallotAsync(Caller organizer, BallotRequest request)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        var q = (request.Question ?? "").Trim();
        if (q.Length is 0 or > 200)
        {
            return LiveError.InvalidArgument("question", "must have 1 to 200 characters");
        }
        if (request.Options is null || request.Options.Any(o => o?.Label is null))
        {
            return LiveError.InvalidArgument("options", "must not contain null");
        }
        var labels = request.Options.Select(o => o.Label.Trim()).ToArray();
        if (labels.Length is < 2 or > 20 || labels.Any(l => l.Length is 0 or > 100))
        {
            return LiveError.InvalidArgument("options", "must be 2 to 20 labels of 1 to 100 characters");
        }
        if (!TextRules.IsClean(q) || labels.Any(l => !TextRules.IsClean(l)))
        {
            return LiveError.InvalidArgument("question", "and options must not contain control characters or malformed Unicode");
        }
        if (labels.Distinct(StringComparer.OrdinalIgnoreCase).Count() != labels.Length)
        {
            return LiveError.InvalidArgument("options", "must not repeat a label");
        }
        if (request.MaxChoices < 1 || request.MaxChoices > labels.Length)
        {
            return LiveError.InvalidArgument("maxChoices", $"must be between 1 and the number of options ({labels.Length})");
        }
        if (request.WindowSeconds is { } window && window is < 30 or > 86_400)
        {
            return LiveError.InvalidArgument("windowSeconds", "must be between 30 and 86400 (a day), or absent for a round the organizer closes");
        }
        var now = NowMs;
        var draft = new RoundDraft("r" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), key, q,
            labels.Select((l, i) => new RoundOption(((char)('a' + i)).ToString(), l, request.Options[i].Project)).ToArray(), request.ShowTally,
            request.VerifiedOnly ? RoundEligibility.Verified : RoundEligibility.Members, organizer.UserId!, request.ClientCommandId, now,
            request.MaxChoices, request.WindowSeconds is { } seconds ? now + seconds * 1000L : null);
        return await CommandAsync<RoundView>(async () =>
        {
            if (Status == SessionStatus.Ended)
            {
                return LiveError.SessionEnded(key);
            }
            var record = await roundStore.CreateRoundAsync(draft);
            if (!roundIds.Contains(record.RoundId))
            {
                roundIds.Add(record.RoundId);
            }
            if (await Round(record.RoundId).ViewAsync() is not { } view)
            {
                return LiveError.TryAgain();
            }
            roundViews[view.RoundId] = view;
            pending.RoundChanged(view);
            return view;
        });
    }

    public Task ShowResultsAsync(Contests.RevealView view)
    {
        results = view.Shown.Count == 0 ? null : view;
        pending.Results = view;
        return Task.CompletedTask;
    }

    public Task ShowQueueAsync(Fair.QueueView view)
    {
        if (queue is null || view.Version > queue.Version)
        {
            queue = view;
            pending.Queue = view;
        }
        return Task.CompletedTask;
    }

    public Task RoundChangedAsync(RoundView view)
    {
        // A round never opens again: a notice sent before its close that arrives after it is stale.
        var stale = view.Status != "closed" && roundViews.TryGetValue(view.RoundId, out var known) && known.Status == "closed";
        if (roundIds.Contains(view.RoundId) && !stale)
        {
            roundViews[view.RoundId] = view;
            if (TrackedRoundIds().Contains(view.RoundId))
            {
                pending.RoundChanged(view);
            }
        }
        return Task.CompletedTask;
    }

    private IEnumerable<string> TrackedRoundIds() => roundIds.Skip(Math.Max(0, roundIds.Count - TrackedRounds));

    // ---- the tick -------------------------------------------------------------------------

    /// <summary>
    /// Writes the audience figures now and then, and sends what changed as one update to every
    /// reporting node's relay: at most once per interval (the largest any node asked for), and
    /// at the next poll after a quiet spell.
    /// </summary>
    private Task OnTickAsync(CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        audience.Expire(now, SiloStatusOf);
        if (audience.TakeFlush(now) is { } flush)
        {
            _ = FlushPresenceAsync(flush);
        }
        var wire = SessionStates.Wire(Status);
        if (wire != lastWireStatus)
        {
            // The scheduled end passed without the session going live: it is over now.
            lastWireStatus = wire;
            pending.SettingsChanged = true;
            if (Status == SessionStatus.Ended)
            {
                _ = CloseOpenRoundsAsync();
            }
        }
        var interval = pending.IsUrgent ? options.Tick : audience.Interval;
        if (now - lastSentAt < interval.TotalMilliseconds)
        {
            return Task.CompletedTask;
        }
        // With no node reporting (just activated, before the relays' next heartbeat; or every node
        // silent) nothing is taken: what changed waits for the first relay instead of being numbered
        // and sent to nobody.
        if (audience.NodeCount == 0)
        {
            return Task.CompletedTask;
        }
        var counts = audience.Changed ? audience.Counts() : null;
        audience.Changed = false;
        var update = pending.Take(key, counts, () => new Dictionary<string, long>(reactions), Settings, () => stream);
        if (update is null)
        {
            return Task.CompletedTask;
        }
        lastSentAt = now;
        foreach (var relay in audience.Relays)
        {
            try
            {
                _ = relay.DeliverAsync(update);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Pushing update {Seq} of session {Session} to a relay failed", update.Seq, key);
            }
        }
        meters.RecordUpdateSent();
        return Task.CompletedTask;
    }

    /// <summary>What the cluster's membership says of the silo a relay's reports name (relays name their silo's address).</summary>
    private SiloStatus SiloStatusOf(string nodeId)
    {
        var snapshot = membership.CurrentSnapshot;
        if (snapshot.Version != silosVersion)
        {
            silos = snapshot.Members.ToDictionary(m => m.Key.ToString(), m => m.Value.Status, StringComparer.Ordinal);
            silosVersion = snapshot.Version;
        }
        return silos.GetValueOrDefault(nodeId, SiloStatus.None);
    }

    private SettingsView Settings() =>
        new(SessionStates.Wire(Status), settings.SlowModeSeconds, pinned is null ? null : ChatView.From(pinned));
}
