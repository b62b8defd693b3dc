using System.Security.Cryptography;
using Events.Silo.Bus;
using Events.Silo.Grains;
using Events.Silo.Store;
using Events.Silo.Voting;

namespace Events.Silo.Live;

/// <summary>
/// One live session on this node: who is watching here, the chat, reactions, moderation and the
/// session's vote rounds. Chat and reactions are written in batches and acknowledged only after
/// their batch commits; committed messages join the outgoing buffer in id order, in the same
/// turn, so every viewer receives them once and in order. Nothing is sent from here: the node's
/// broadcaster calls <see cref="CollectUpdateAsync"/> on its tick and sends the coalesced result.
/// </summary>
public sealed class LiveSessionGrain : Grain, IAsyncDisposable
{
    public static readonly IReadOnlyList<string> ReactionKinds = ["like", "applause"];

    private const int TrackedRounds = 10;
    private const int RememberedCommands = 10_000;

    private readonly ILiveStore store;
    private readonly ILiveBus bus;
    private readonly TimeProvider clock;
    private readonly LiveOptions options;
    private readonly GrainDirectory<VoteRoundGrain> rounds;
    private readonly WriteBatcher<ChatDraft, ChatAppend> chatWriter;
    private readonly WriteBatcher<string, long> reactionWriter;

    private readonly Dictionary<string, string> connections = new(StringComparer.Ordinal);
    private readonly HashSet<string> knownViewers = new(StringComparer.Ordinal);
    private readonly HashSet<string> unflushedViewers = new(StringComparer.Ordinal);
    private readonly Queue<ChatMessage> recent = new();
    private readonly List<ChatView> outgoingChat = [];
    private readonly List<long> outgoingDeleted = [];
    private readonly Dictionary<(string UserId, SanctionKind Kind), Sanction> sanctions = [];
    private readonly Dictionary<string, long> lastChatAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<Outcome<ChatAck>>> recentCommands = new(StringComparer.Ordinal);
    private readonly Queue<string> recentCommandOrder = new();
    private readonly List<string> roundIds = [];
    private readonly Dictionary<string, long> sentRoundVersions = new(StringComparer.Ordinal);

    private SessionSettings settings = new(SessionStatus.Scheduled, 0, null);
    private ChatMessage? pinned;
    private SessionCounters counters = new(0, 0, 0);
    private Dictionary<string, long> reactions = new(StringComparer.Ordinal);
    private long unflushedViews;
    private long peakSeen;
    private bool presenceFlushing;
    private long lastPresenceFlush;
    private long lastChatId;
    private long seq;
    private bool countsChanged;
    private bool reactionsChanged;
    private bool settingsChanged;
    private CountsView? lastCounts;
    private readonly Dictionary<string, (long Viewers, long SeenAt)> remoteViewers = new(StringComparer.Ordinal);
    private long lastPresenceReport = long.MinValue / 2;
    private long lastReportedViewers = -1;
    private bool countersRefreshing;

    public LiveSessionGrain(string sessionId, ILiveStore store, ILiveBus bus, TimeProvider clock, LiveOptions options, GrainDirectory<VoteRoundGrain> rounds, LiveMeters? meters = null)
        : base(sessionId)
    {
        this.store = store;
        this.bus = bus;
        this.clock = clock;
        this.options = options;
        this.rounds = rounds;
        chatWriter = new WriteBatcher<ChatDraft, ChatAppend>(CommitChatAsync, options.MaxBatch, options.BatchLinger, options.WriteQueueCapacity, meters is null ? null : meters.RecordChatBatch);
        reactionWriter = new WriteBatcher<string, long>(CommitReactionsAsync, options.MaxBatch, options.BatchLinger, options.WriteQueueCapacity, meters is null ? null : meters.RecordReactionBatch);
    }

    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Viewers connected to this node.</summary>
    public int LocalViewers => Volatile.Read(ref localViewers);

    private int localViewers;

    protected internal override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        settings = await store.GetSessionAsync(Key).ConfigureAwait(false);
        counters = await store.GetCountersAsync(Key).ConfigureAwait(false);
        reactions = new Dictionary<string, long>(await store.GetReactionsAsync(Key).ConfigureAwait(false), StringComparer.Ordinal);
        foreach (var kind in ReactionKinds)
        {
            reactions.TryAdd(kind, 0);
        }
        foreach (var m in await store.GetRecentChatAsync(Key, options.RecentChat).ConfigureAwait(false))
        {
            recent.Enqueue(m);
            lastChatId = m.Id;
        }
        foreach (var s in await store.GetSanctionsAsync(Key).ConfigureAwait(false))
        {
            sanctions[(s.UserId, s.Kind)] = s;
        }
        roundIds.AddRange((await store.GetRoundsAsync(Key).ConfigureAwait(false)).Select(r => r.RoundId));
        pinned = settings.PinnedMessageId is { } id ? await store.GetChatMessageAsync(Key, id).ConfigureAwait(false) : null;
        lastPresenceFlush = Environment.TickCount64;
    }

    protected override bool CanDeactivate =>
        connections.Count == 0 && !presenceFlushing && unflushedViewers.Count == 0 && unflushedViews == 0
        && chatWriter.Backlog == 0 && reactionWriter.Backlog == 0 && outgoingChat.Count == 0;

    // ---- presence -------------------------------------------------------------------------

    /// <summary>Adds a viewer connection (joining twice is harmless) and returns the whole state.</summary>
    public Task<SessionSnapshot> JoinAsync(string connectionId, string viewerKey, Caller caller) =>
        TurnAsync(async () =>
        {
            if (connections.TryAdd(connectionId, viewerKey))
            {
                unflushedViews++;
                if (knownViewers.Add(viewerKey))
                {
                    unflushedViewers.Add(viewerKey);
                }
                countsChanged = true;
                Volatile.Write(ref localViewers, connections.Count);
                peakSeen = Math.Max(peakSeen, CurrentViewers);
            }
            return await SnapshotAsync(caller).ConfigureAwait(false);
        });

    /// <summary>The state a viewer would get on joining, without joining: for server-rendered pages.</summary>
    public Task<SessionSnapshot> PeekAsync(Caller caller) => TurnAsync(() => SnapshotAsync(caller));

    private async Task<SessionSnapshot> SnapshotAsync(Caller caller)
    {
        var roundViews = new List<RoundView>();
        foreach (var id in TrackedRoundIds())
        {
            var view = await (await rounds.GetAsync(id).ConfigureAwait(false)).ViewAsync().ConfigureAwait(false);
            if (view is not null)
            {
                roundViews.Add(view);
            }
        }
        var you = new YouView(caller.UserId, caller.DisplayName, caller.IsSignedIn, caller.CanModerate, caller.CanOrganize,
            caller.UserId is { } u && ActiveSanction(u, SanctionKind.Mute) is not null,
            caller.UserId is { } b && ActiveSanction(b, SanctionKind.Ban) is not null);
        return new SessionSnapshot(Key, seq, Counts(), new Dictionary<string, long>(reactions), recent.Select(ChatView.From).ToArray(),
            Settings(), roundViews, you);
    }

    public Task<bool> LeaveAsync(string connectionId) =>
        Turn(() =>
        {
            if (!connections.Remove(connectionId))
            {
                return false;
            }
            countsChanged = true;
            Volatile.Write(ref localViewers, connections.Count);
            return true;
        });

    /// <summary>Viewers here plus the latest report of every other node still reporting.</summary>
    private long CurrentViewers => connections.Count + remoteViewers.Values.Sum(r => r.Viewers);

    private CountsView Counts()
    {
        return new CountsView(CurrentViewers, Math.Max(counters.PeakViewers, peakSeen), counters.UniqueViewers, counters.TotalViews + unflushedViews);
    }

    private void MaybeFlushPresence()
    {
        var now = Environment.TickCount64;
        if (presenceFlushing || now - lastPresenceFlush < options.PresenceFlush.TotalMilliseconds)
        {
            return;
        }
        if (unflushedViewers.Count == 0 && unflushedViews == 0 && peakSeen <= counters.PeakViewers)
        {
            if (remoteViewers.Count > 0 && !countersRefreshing)
            {
                // Other nodes add to unique viewers and views: read the shared figures now and then.
                countersRefreshing = true;
                lastPresenceFlush = now;
                _ = RefreshCountersAsync();
            }
            return;
        }
        var keys = unflushedViewers.ToArray();
        var views = unflushedViews;
        presenceFlushing = true;
        lastPresenceFlush = now;
        _ = FlushPresenceAsync(keys, views, peakSeen);
    }

    private async Task FlushPresenceAsync(string[] keys, long views, long peakCandidate)
    {
        try
        {
            var stored = await store.RecordPresenceAsync(Key, keys, views, peakCandidate, NowMs).ConfigureAwait(false);
            await Turn(() =>
            {
                counters = stored;
                unflushedViews -= views;
                unflushedViewers.ExceptWith(keys);
                countsChanged = true;
                presenceFlushing = false;
                return 0;
            }).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Kept unflushed: the next tick tries again.
            await Turn(() => presenceFlushing = false).ConfigureAwait(false);
        }
    }

    private async Task RefreshCountersAsync()
    {
        try
        {
            var stored = await store.GetCountersAsync(Key).ConfigureAwait(false);
            await Turn(() =>
            {
                countersRefreshing = false;
                if (stored != counters)
                {
                    counters = stored;
                    countsChanged = true;
                }
                return 0;
            }).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await Turn(() => countersRefreshing = false).ConfigureAwait(false);
        }
    }

    /// <summary>Tells the other nodes how many viewers this node has, when it changes and as a heartbeat.</summary>
    private void ReportPresence()
    {
        var now = Environment.TickCount64;
        if (connections.Count == lastReportedViewers && now - lastPresenceReport < options.PresenceHeartbeat.TotalMilliseconds)
        {
            return;
        }
        if (connections.Count == 0 && lastReportedViewers <= 0 && lastReportedViewers != -1)
        {
            return;
        }
        lastReportedViewers = connections.Count;
        lastPresenceReport = now;
        // Not awaited: the tick must not wait on the network; a lost report is repeated by the heartbeat.
        _ = bus.PublishAsync(new BusSignal(bus.NodeId, Key, BusSignalKind.Presence, connections.Count)).AsTask();
    }

    private void ExpireRemoteViewers()
    {
        var now = Environment.TickCount64;
        foreach (var (node, report) in remoteViewers.ToArray())
        {
            if (now - report.SeenAt > options.PresenceExpiry.TotalMilliseconds)
            {
                remoteViewers.Remove(node);
                countsChanged = true;
            }
        }
    }

    /// <summary>
    /// Applies another node's signal: its viewer count, or a change to read again from the store
    /// (settings, sanctions, pin, reactions, a deleted message, the list of rounds, new chat).
    /// </summary>
    public async Task OnRemoteSignalAsync(BusSignal signal)
    {
        if (signal.Kind == BusSignalKind.ChatAppended)
        {
            await CatchUpChatAsync().ConfigureAwait(false);
            return;
        }
        await TurnAsync(async () =>
        {
            switch (signal.Kind)
            {
                case BusSignalKind.Presence:
                    remoteViewers[signal.NodeId] = (signal.Value, Environment.TickCount64);
                    peakSeen = Math.Max(peakSeen, CurrentViewers);
                    countsChanged = true;
                    break;
                case BusSignalKind.SettingsChanged:
                    settings = await store.GetSessionAsync(Key).ConfigureAwait(false);
                    pinned = settings.PinnedMessageId is { } id ? await store.GetChatMessageAsync(Key, id).ConfigureAwait(false) : null;
                    sanctions.Clear();
                    foreach (var sanction in await store.GetSanctionsAsync(Key).ConfigureAwait(false))
                    {
                        sanctions[(sanction.UserId, sanction.Kind)] = sanction;
                    }
                    settingsChanged = true;
                    break;
                case BusSignalKind.ReactionsChanged:
                    foreach (var (kind, total) in await store.GetReactionsAsync(Key).ConfigureAwait(false))
                    {
                        reactions[kind] = total;
                    }
                    reactionsChanged = true;
                    break;
                case BusSignalKind.ChatDeleted:
                    // The deleting node has already unpinned it in the store, if it was pinned.
                    ForgetMessage(signal.Value);
                    break;
                case BusSignalKind.RoundsChanged:
                    foreach (var round in await store.GetRoundsAsync(Key).ConfigureAwait(false))
                    {
                        if (!roundIds.Contains(round.RoundId))
                        {
                            roundIds.Add(round.RoundId);
                        }
                    }
                    break;
            }
            return 0;
        }).ConfigureAwait(false);
    }

    // ---- chat -----------------------------------------------------------------------------

    public async Task<Outcome<ChatAck>> PostChatAsync(Caller author, string text, string clientMessageId)
    {
        var answer = await Turn(() => AdmitChat(author, text, clientMessageId)).ConfigureAwait(false);
        return await answer.ConfigureAwait(false);
    }

    private Task<Outcome<ChatAck>> AdmitChat(Caller author, string text, string clientMessageId)
    {
        static Task<Outcome<ChatAck>> Refuse(LiveError e) => Task.FromResult<Outcome<ChatAck>>(e);

        if (!author.IsSignedIn)
        {
            return Refuse(LiveError.Unauthenticated());
        }
        var userId = author.UserId!;
        var commandKey = userId + "\n" + clientMessageId;
        if (recentCommands.TryGetValue(commandKey, out var earlier))
        {
            return earlier;
        }
        var body = text.Trim();
        if (body.Length == 0)
        {
            return Refuse(LiveError.EmptyMessage());
        }
        if (body.Length > options.MaxChatLength)
        {
            return Refuse(LiveError.MessageTooLong(options.MaxChatLength));
        }
        if (!TextRules.IsClean(body))
        {
            return Refuse(LiveError.InvalidArgument("text", "must not contain control characters or malformed Unicode"));
        }
        if (settings.Status == SessionStatus.Ended)
        {
            return Refuse(LiveError.SessionEnded(Key));
        }
        if (ActiveSanction(userId, SanctionKind.Ban) is not null)
        {
            return Refuse(LiveError.Banned());
        }
        if (ActiveSanction(userId, SanctionKind.Mute) is { } mute)
        {
            return Refuse(LiveError.Muted(mute.UntilMs is { } until ? (int)Math.Max(0, until - NowMs) : null));
        }
        var now = NowMs;
        if (settings.SlowModeSeconds > 0 && !author.CanModerate && lastChatAt.TryGetValue(userId, out var last))
        {
            var wait = last + settings.SlowModeSeconds * 1000L - now;
            if (wait > 0)
            {
                return Refuse(LiveError.SlowMode((int)wait));
            }
        }
        var draft = new ChatDraft(Key, userId, author.DisplayName, body, clientMessageId, now);
        if (!chatWriter.TryEnqueue(draft, out var committed))
        {
            return Refuse(LiveError.TryAgain());
        }
        var previousChatAt = lastChatAt.TryGetValue(userId, out var earlierAt) ? earlierAt : (long?)null;
        lastChatAt[userId] = now;
        var ack = AcknowledgeChatAsync(committed, commandKey, userId, now, previousChatAt);
        Remember(commandKey, ack);
        return ack;
    }

    private async Task<Outcome<ChatAck>> AcknowledgeChatAsync(Task<ChatAppend> committed, string commandKey, string userId, long stamp, long? previousStamp)
    {
        try
        {
            var appended = await committed.ConfigureAwait(false);
            return new ChatAck(appended.Message.Id, appended.Message.SentAtMs);
        }
        catch (Exception)
        {
            // Not written: forget the command and its slow-mode stamp so that the client's retry is tried afresh.
            await Turn(() =>
            {
                if (lastChatAt.TryGetValue(userId, out var current) && current == stamp)
                {
                    if (previousStamp is { } p)
                    {
                        lastChatAt[userId] = p;
                    }
                    else
                    {
                        lastChatAt.Remove(userId);
                    }
                }
                return recentCommands.Remove(commandKey);
            }).ConfigureAwait(false);
            return LiveError.TryAgain();
        }
    }

    private void Remember(string commandKey, Task<Outcome<ChatAck>> ack)
    {
        recentCommands[commandKey] = ack;
        recentCommandOrder.Enqueue(commandKey);
        while (recentCommandOrder.Count > RememberedCommands)
        {
            var oldest = recentCommandOrder.Dequeue();
            if (recentCommands.TryGetValue(oldest, out var task) && task.IsCompleted)
            {
                recentCommands.Remove(oldest);
            }
        }
    }

    private async Task<IReadOnlyList<ChatAppend>> CommitChatAsync(IReadOnlyList<ChatDraft> drafts, CancellationToken cancellationToken)
    {
        var appended = await store.AppendChatAsync(drafts).ConfigureAwait(false);
        var newest = await CatchUpChatAsync().ConfigureAwait(false);
        await bus.PublishAsync(new BusSignal(bus.NodeId, Key, BusSignalKind.ChatAppended, newest)).ConfigureAwait(false);
        return appended;
    }

    /// <summary>
    /// Reads every message committed after the last one this node has, in id order, into the
    /// outgoing buffer. Own commits and other nodes' both arrive this way: the store serializes
    /// appends per session, so ids grow in commit order and a cursor never skips a message, and
    /// every viewer on every node gets each message once, in the same order.
    /// </summary>
    private Task<long> CatchUpChatAsync() =>
        TurnAsync(async () =>
        {
            while (true)
            {
                var newer = await store.GetChatAfterAsync(Key, lastChatId, 1000).ConfigureAwait(false);
                foreach (var m in newer)
                {
                    AddToRecent(m);
                    outgoingChat.Add(ChatView.From(m));
                    lastChatId = m.Id;
                }
                if (newer.Count < 1000)
                {
                    return lastChatId;
                }
            }
        });

    private void AddToRecent(ChatMessage message)
    {
        recent.Enqueue(message);
        while (recent.Count > options.RecentChat)
        {
            recent.Dequeue();
        }
    }

    // ---- reactions ------------------------------------------------------------------------

    public async Task<Outcome<ReactionAck>> ReactAsync(Caller caller, string kind)
    {
        var answer = await Turn(() =>
        {
            if (!caller.IsSignedIn)
            {
                return Task.FromResult<Outcome<long>>(LiveError.Unauthenticated());
            }
            if (!ReactionKinds.Contains(kind))
            {
                return Task.FromResult<Outcome<long>>(LiveError.InvalidArgument("kind", $"must be one of {string.Join(", ", ReactionKinds)}"));
            }
            if (settings.Status == SessionStatus.Ended)
            {
                return Task.FromResult<Outcome<long>>(LiveError.SessionEnded(Key));
            }
            if (ActiveSanction(caller.UserId!, SanctionKind.Ban) is not null)
            {
                return Task.FromResult<Outcome<long>>(LiveError.Banned());
            }
            return reactionWriter.TryEnqueue(kind, out var committed) ? AwaitTotal(committed) : Task.FromResult<Outcome<long>>(LiveError.TryAgain());
        }).ConfigureAwait(false);
        var total = await answer.ConfigureAwait(false);
        return total.IsOk ? new ReactionAck(kind, total.Value) : total.Error!;
    }

    private static async Task<Outcome<long>> AwaitTotal(Task<long> committed)
    {
        try
        {
            return await committed.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return LiveError.TryAgain();
        }
    }

    private async Task<IReadOnlyList<long>> CommitReactionsAsync(IReadOnlyList<string> kinds, CancellationToken cancellationToken)
    {
        var deltas = kinds.GroupBy(k => k, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        var totals = await store.AddReactionsAsync(Key, deltas).ConfigureAwait(false);
        await Turn(() =>
        {
            foreach (var (kind, total) in totals)
            {
                reactions[kind] = total;
            }
            reactionsChanged = true;
            return 0;
        }).ConfigureAwait(false);
        await bus.PublishAsync(new BusSignal(bus.NodeId, Key, BusSignalKind.ReactionsChanged, 0)).ConfigureAwait(false);
        return kinds.Select(k => totals.GetValueOrDefault(k)).ToArray();
    }

    // ---- moderation -----------------------------------------------------------------------

    public Task<Outcome<bool>> DeleteMessageAsync(Caller moderator, long messageId) =>
        ModerateAsync(moderator, async () =>
        {
            if (!await store.DeleteChatAsync(Key, messageId, moderator.UserId!, NowMs).ConfigureAwait(false))
            {
                return LiveError.UnknownMessage(messageId);
            }
            if (pinned?.Id == messageId)
            {
                await store.SetPinnedAsync(Key, null).ConfigureAwait(false);
            }
            ForgetMessage(messageId);
            await bus.PublishAsync(new BusSignal(bus.NodeId, Key, BusSignalKind.ChatDeleted, messageId)).ConfigureAwait(false);
            return true;
        });

    /// <summary>Takes a deleted message out of the recent chat, the pending broadcast and the pin, and announces its deletion.</summary>
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
        outgoingChat.RemoveAll(m => m.Id == messageId);
        outgoingDeleted.Add(messageId);
        if (pinned?.Id == messageId)
        {
            pinned = null;
            settings = settings with { PinnedMessageId = null };
            settingsChanged = true;
        }
    }

    /// <summary>Mutes a user for <paramref name="minutes"/> minutes (1 to 10,080), or lifts the mute when <paramref name="minutes"/> is 0.</summary>
    public Task<Outcome<bool>> MuteAsync(Caller moderator, string userId, int minutes) =>
        minutes is < 0 or > 10_080
            ? Task.FromResult<Outcome<bool>>(LiveError.InvalidArgument("minutes", "must be between 0 and 10080"))
            : SanctionAsync(moderator, userId, SanctionKind.Mute, minutes == 0 ? null : NowMs + minutes * 60_000L, lift: minutes == 0);

    public Task<Outcome<bool>> BanAsync(Caller moderator, string userId, bool banned) =>
        SanctionAsync(moderator, userId, SanctionKind.Ban, null, lift: !banned);

    private Task<Outcome<bool>> SanctionAsync(Caller moderator, string userId, SanctionKind kind, long? untilMs, bool lift) =>
        ModerateAsync(moderator, async () =>
        {
            if (lift)
            {
                await store.RemoveSanctionAsync(Key, userId, kind).ConfigureAwait(false);
                sanctions.Remove((userId, kind));
            }
            else
            {
                var sanction = new Sanction(Key, userId, kind, untilMs, moderator.UserId!);
                await store.SetSanctionAsync(sanction, NowMs).ConfigureAwait(false);
                sanctions[(userId, kind)] = sanction;
            }
            await bus.PublishAsync(new BusSignal(bus.NodeId, Key, BusSignalKind.SettingsChanged, 0)).ConfigureAwait(false);
            return true;
        });

    public Task<Outcome<bool>> SetSlowModeAsync(Caller moderator, int seconds) =>
        seconds is < 0 or > 3600
            ? Task.FromResult<Outcome<bool>>(LiveError.InvalidArgument("seconds", "must be between 0 and 3600"))
            : ModerateAsync(moderator, async () =>
            {
                await store.SetSlowModeAsync(Key, seconds).ConfigureAwait(false);
                settings = settings with { SlowModeSeconds = seconds };
                return await SettingsChangedAsync().ConfigureAwait(false);
            });

    /// <summary>Pins a message, or unpins with a null id.</summary>
    public Task<Outcome<bool>> PinAsync(Caller moderator, long? messageId) =>
        ModerateAsync(moderator, async () =>
        {
            ChatMessage? message = null;
            if (messageId is { } id && (message = await store.GetChatMessageAsync(Key, id).ConfigureAwait(false)) is null)
            {
                return LiveError.UnknownMessage(id);
            }
            await store.SetPinnedAsync(Key, messageId).ConfigureAwait(false);
            pinned = message;
            settings = settings with { PinnedMessageId = messageId };
            return await SettingsChangedAsync().ConfigureAwait(false);
        });

    public Task<Outcome<bool>> SetStatusAsync(Caller organizer, SessionStatus status) =>
        !organizer.CanOrganize
            ? Task.FromResult<Outcome<bool>>(LiveError.Forbidden("organizer"))
            : TryTurnAsync(async () =>
            {
                await store.SetSessionStatusAsync(Key, status, NowMs).ConfigureAwait(false);
                settings = settings with { Status = status };
                return await SettingsChangedAsync().ConfigureAwait(false);
            });

    private async Task<Outcome<bool>> SettingsChangedAsync()
    {
        settingsChanged = true;
        await bus.PublishAsync(new BusSignal(bus.NodeId, Key, BusSignalKind.SettingsChanged, 0)).ConfigureAwait(false);
        return true;
    }

    private Task<Outcome<bool>> ModerateAsync(Caller moderator, Func<Task<Outcome<bool>>> action) =>
        moderator.CanModerate ? TryTurnAsync(action) : Task.FromResult<Outcome<bool>>(LiveError.Forbidden("moderator"));

    /// <summary>Runs a rare, store-bound command as one turn; a store failure answers "try again" with nothing changed in memory.</summary>
    private async Task<Outcome<T>> TryTurnAsync<T>(Func<Task<Outcome<T>>> action)
    {
        try
        {
            return await TurnAsync(action).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not GrainDeactivatedException)
        {
            return LiveError.TryAgain();
        }
    }

    private Sanction? ActiveSanction(string userId, SanctionKind kind) =>
        sanctions.TryGetValue((userId, kind), out var s) && (s.UntilMs is null || s.UntilMs > NowMs) ? s : null;

    // ---- rounds ---------------------------------------------------------------------------

    public async Task<Outcome<RoundView>> OpenRoundAsync(Caller organizer, string question, IReadOnlyList<string> optionLabels, bool showTally, bool verifiedOnly, string clientCommandId)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        var q = question.Trim();
        if (q.Length is 0 or > 200)
        {
            return LiveError.InvalidArgument("question", "must have 1 to 200 characters");
        }
        if (optionLabels.Any(l => l is null))
        {
            return LiveError.InvalidArgument("options", "must not contain null");
        }
        var labels = optionLabels.Select(l => l.Trim()).ToArray();
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
        var draft = new RoundDraft("r" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), Key, q,
            labels.Select((l, i) => new RoundOption(((char)('a' + i)).ToString(), l)).ToArray(), showTally,
            verifiedOnly ? RoundEligibility.Verified : RoundEligibility.Members, organizer.UserId!, clientCommandId, NowMs);
        var created = await TryTurnAsync<RoundRecord>(async () =>
        {
            var record = await store.CreateRoundAsync(draft).ConfigureAwait(false);
            if (!roundIds.Contains(record.RoundId))
            {
                roundIds.Add(record.RoundId);
            }
            return record;
        }).ConfigureAwait(false);
        if (!created.IsOk)
        {
            return created.Error!;
        }
        await bus.PublishAsync(new BusSignal(bus.NodeId, Key, BusSignalKind.RoundsChanged, 0)).ConfigureAwait(false);
        var view = await rounds.CallAsync(created.Value!.RoundId, g => g.ViewAsync()).ConfigureAwait(false);
        return view is null ? LiveError.TryAgain() : view;
    }

    private IEnumerable<string> TrackedRoundIds() => roundIds.Skip(Math.Max(0, roundIds.Count - TrackedRounds));

    // ---- the tick -------------------------------------------------------------------------

    /// <summary>Takes everything that changed since the last call as one update with the next sequence number, or null if nothing did.</summary>
    public Task<SessionUpdate?> CollectUpdateAsync() =>
        TurnAsync(async () =>
        {
            ExpireRemoteViewers();
            MaybeFlushPresence();
            ReportPresence();
            List<RoundView>? changedRounds = null;
            foreach (var id in TrackedRoundIds())
            {
                var grain = await rounds.GetAsync(id).ConfigureAwait(false);
                try
                {
                    await grain.RefreshIfStaleAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The store did not answer: this round waits for a later tick (it stays
                    // stale); everything else in this update goes out now.
                    continue;
                }
                var version = grain.Version;
                if (sentRoundVersions.TryGetValue(id, out var sent) && sent == version)
                {
                    continue;
                }
                sentRoundVersions[id] = version;
                if (await grain.ViewAsync().ConfigureAwait(false) is { } view)
                {
                    (changedRounds ??= []).Add(view);
                }
            }
            CountsView? counts = null;
            if (countsChanged)
            {
                countsChanged = false;
                var now = Counts();
                if (now != lastCounts)
                {
                    counts = lastCounts = now;
                }
            }
            if (counts is null && !reactionsChanged && outgoingChat.Count == 0 && outgoingDeleted.Count == 0 && !settingsChanged && changedRounds is null)
            {
                return null;
            }
            var update = new SessionUpdate(Key, ++seq, counts,
                reactionsChanged ? new Dictionary<string, long>(reactions) : null,
                outgoingChat.Count > 0 ? outgoingChat.ToArray() : null,
                outgoingDeleted.Count > 0 ? outgoingDeleted.ToArray() : null,
                settingsChanged ? Settings() : null,
                changedRounds);
            reactionsChanged = false;
            settingsChanged = false;
            outgoingChat.Clear();
            outgoingDeleted.Clear();
            return update;
        });

    private SettingsView Settings() =>
        new(settings.Status.ToString().ToLowerInvariant(), settings.SlowModeSeconds, pinned is null ? null : ChatView.From(pinned));

    public async ValueTask DisposeAsync()
    {
        await chatWriter.DisposeAsync().ConfigureAwait(false);
        await reactionWriter.DisposeAsync().ConfigureAwait(false);
    }
}
