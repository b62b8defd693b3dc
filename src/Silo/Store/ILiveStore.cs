namespace Events.Silo.Store;

/// <summary>
/// The source of truth for everything live. Grains hold hot state only and write through this
/// contract in batches. Uniqueness lives here: one vote per voter per round, one chat message per
/// (session, author, client message id), one round per (session, client command id). Every
/// batch method is atomic: all of the batch is committed, or none of it and the call throws.
/// </summary>
public interface ILiveStore : ISessionStore, IChatStore, ISanctionStore, IRoundStore, IStreamStore, IMemberDataStore, Contests.IJudgingStore, Fair.IBoothQueueStore
{
    /// <summary>Creates the schema if it is missing. Safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);
}

/// <summary>What the store holds on one person, for their download, and forgetting them when they delete their account.</summary>
public interface IMemberDataStore
{
    /// <summary>Their chat messages (deleted ones too), votes, mutes and bans, and the sessions they watched signed in.</summary>
    Task<MemberData> GetMemberDataAsync(string userId);

    /// <summary>
    /// Detaches everything from the person in one transaction: their messages and votes are kept
    /// (tallies and the chat stay as they were) under <paramref name="anonymousId"/> and with no
    /// name; their mutes and bans are removed; their views count on under the anonymous key.
    /// </summary>
    Task ForgetMemberAsync(string userId, string anonymousId);
}

/// <summary>A session's durable settings, audience figures and reaction totals.</summary>
public interface ISessionStore
{
    Task<SessionSettings> GetSessionAsync(string sessionId);

    Task SetSessionStatusAsync(string sessionId, SessionStatus status, long atMs);

    Task SetSlowModeAsync(string sessionId, int seconds);

    Task SetPinnedAsync(string sessionId, long? messageId);

    /// <summary>
    /// Adds viewers seen for the first time (keys already known are ignored), adds to the views total
    /// (of which <paramref name="newReplayViews"/> were views of the replay) and raises the peak; returns the new figures.
    /// </summary>
    Task<SessionCounters> RecordPresenceAsync(string sessionId, IReadOnlyCollection<string> viewerKeys, long newViews, long newReplayViews, long peakCandidate, long atMs);

    Task<SessionCounters> GetCountersAsync(string sessionId);

    /// <summary>Adds reaction counts (kind to delta) and returns the session's totals.</summary>
    Task<IReadOnlyDictionary<string, long>> AddReactionsAsync(string sessionId, IReadOnlyDictionary<string, long> deltas);

    Task<IReadOnlyDictionary<string, long>> GetReactionsAsync(string sessionId);
}

/// <summary>A session's chat: appends serialized per session, ids growing in commit order.</summary>
public interface IChatStore
{
    /// <summary>
    /// Appends messages in order; a message whose (session, author, client id) is already stored comes back as that stored message, marked duplicate.
    /// Appends to one session are serialized across all writers, so within a session ids grow in commit order: a reader
    /// that has every message up to id N and then reads "after N" never misses one committed later with a smaller id.
    /// </summary>
    Task<IReadOnlyList<ChatAppend>> AppendChatAsync(IReadOnlyList<ChatDraft> drafts);

    /// <summary>The newest <paramref name="limit"/> messages not deleted, oldest first.</summary>
    Task<IReadOnlyList<ChatMessage>> GetRecentChatAsync(string sessionId, int limit);

    /// <summary>Messages (not deleted) with ids after <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<ChatMessage>> GetChatAfterAsync(string sessionId, long afterId, int limit);

    Task<ChatMessage?> GetChatMessageAsync(string sessionId, long messageId);

    /// <summary>Messages (not deleted) sent from <paramref name="fromMs"/> to <paramref name="toMs"/> inclusive, oldest first, at most <paramref name="limit"/>: a replay's chat.</summary>
    Task<IReadOnlyList<ChatMessage>> GetChatBetweenAsync(string sessionId, long fromMs, long toMs, int limit);

    /// <summary>Marks a message deleted; false when there is no such message in the session.</summary>
    Task<bool> DeleteChatAsync(string sessionId, long messageId, string deletedBy, long atMs);
}

/// <summary>Mutes and bans, per session and person.</summary>
public interface ISanctionStore
{
    Task SetSanctionAsync(Sanction sanction, long atMs);

    Task RemoveSanctionAsync(string sessionId, string userId, SanctionKind kind);

    Task<IReadOnlyList<Sanction>> GetSanctionsAsync(string sessionId);
}

/// <summary>Vote rounds and their ballots: one ballot per voter per round, none after the close.</summary>
public interface IRoundStore
{
    /// <summary>Creates a round; a retry with the same (session, client command id) returns the round created the first time.</summary>
    Task<RoundRecord> CreateRoundAsync(RoundDraft draft);

    Task<RoundRecord?> GetRoundAsync(string roundId);

    Task<IReadOnlyList<RoundRecord>> GetRoundsAsync(string sessionId);

    Task<RoundRecord> CloseRoundAsync(string roundId, long atMs);

    /// <summary>
    /// Inserts votes; for a voter who already has a vote in the round, returns that vote instead of inserting.
    /// A vote for a round that is not open is not inserted (<see cref="VoteOutcome.RoundClosed"/>): closing a
    /// round and inserting into it are serialized, so no vote is counted after the close commits.
    /// </summary>
    Task<IReadOnlyList<VoteOutcome>> CastVotesAsync(IReadOnlyList<VoteDraft> votes);

    /// <summary>The round's counted ballots (voided ones are not among them).</summary>
    Task<IReadOnlyList<StoredVote>> GetVotesAsync(string roundId);

    /// <summary>
    /// Voids the counted ballots of these voters in one transaction: each stays stored, with who
    /// voided it, when and why, and counts no more (in <see cref="GetVotesAsync"/> and every
    /// recount); its voter still has their one ballot in the round. Returns the ballots voided by
    /// this call (voters with no ballot, or one voided before, are skipped).
    /// </summary>
    Task<IReadOnlyList<StoredVote>> VoidVotesAsync(string roundId, IReadOnlyCollection<string> voterIds, string voidedBy, string reason, long atMs);

    /// <summary>The voters whose ballots in the round were voided.</summary>
    Task<IReadOnlyList<string>> GetVoidedVotersAsync(string roundId);

    /// <summary>A recount of the round's ballots. Stores override this with one grouped query.</summary>
    async Task<RoundTally> GetTallyAsync(string roundId)
    {
        var votes = await GetVotesAsync(roundId).ConfigureAwait(false);
        var tally = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var v in votes)
        {
            StoreRows.AddBallots(tally, v.OptionId, 1);
        }
        return new RoundTally(votes.Count, tally);
    }
}

/// <summary>A session's ingest key and its broadcasts (each push from go-live to its end, kept as the replay).</summary>
public interface IStreamStore
{
    Task<string?> GetStreamKeyAsync(string sessionId);

    /// <summary>Sets the key, replacing any earlier one (which stops working at once).</summary>
    Task SetStreamKeyAsync(string sessionId, string streamKey, long atMs);

    /// <summary>Records a broadcast's start; a second call for the same id changes nothing.</summary>
    Task StartBroadcastAsync(string sessionId, string broadcastId, long atMs);

    /// <summary>Records the playlist viewers play and its length; <paramref name="ended"/> marks the broadcast over (its replay complete).</summary>
    Task UpdateBroadcastAsync(string sessionId, string broadcastId, string playlist, double seconds, bool ended, long atMs);

    /// <summary>The session's broadcasts, oldest first.</summary>
    Task<IReadOnlyList<BroadcastRecord>> GetBroadcastsAsync(string sessionId);

    /// <summary>Every ended broadcast with a playlist (the replays) of every session, latest end first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<BroadcastRecord>> GetReplaysAsync(int limit);

    /// <summary>Ends a broadcast that left no playlist (a recording that failed): no replay. A broadcast already ended keeps its end.</summary>
    Task EndBroadcastAsync(string sessionId, string broadcastId, long atMs);

    /// <summary>The session's LiveKit stage (its room and the ingress OBS sends to), when one was opened.</summary>
    Task<LiveKitStageRecord?> GetLiveKitStageAsync(string sessionId);

    /// <summary>The sessions that have a stage (for the reconciliation), in session order.</summary>
    Task<IReadOnlyList<string>> GetLiveKitStageSessionsAsync();

    /// <summary>Sets the session's stage, replacing an earlier one.</summary>
    Task SetLiveKitStageAsync(LiveKitStageRecord stage);

    /// <summary>Marks a broadcast as carried by a LiveKit room, with the egress recording it once known; a later call with an egress fills it in.</summary>
    Task SetLiveKitBroadcastAsync(string sessionId, string broadcastId, string room, string? egressId);

    /// <summary>LiveKit broadcasts not ended yet, of one session or of all (for the reconciliation), oldest first.</summary>
    Task<IReadOnlyList<LiveKitBroadcastRecord>> GetOpenLiveKitBroadcastsAsync(string? sessionId);

    /// <summary>Records a webhook's id; false when it was recorded before (a redelivery to ignore).</summary>
    Task<bool> RecordWebhookAsync(string webhookId, long atMs);

    /// <summary>Adds an organizer's chapter marker at a moment of the session; a retry with the same client id adds nothing. The marker as stored.</summary>
    Task<MarkerRecord> AddMarkerAsync(string sessionId, string title, string clientMarkerId, long atMs);

    /// <summary>The session's markers, oldest first.</summary>
    Task<IReadOnlyList<MarkerRecord>> GetMarkersAsync(string sessionId);

    /// <summary>
    /// Records an organizer's edit of an ended broadcast's replay and, in the same transaction, makes
    /// <paramref name="playlist"/> (of <paramref name="seconds"/>) the broadcast's playlist. The
    /// original playlist and length are kept as first recorded, unless <paramref name="newOriginal"/>
    /// (an uploaded edit replaced the recording).
    /// </summary>
    Task SetReplayEditAsync(ReplayEditRecord edit, string playlist, double seconds, bool newOriginal = false);

    /// <summary>The replay edits of one session, or of all.</summary>
    Task<IReadOnlyList<ReplayEditRecord>> GetReplayEditsAsync(string? sessionId);

    /// <summary>Whether a webhook's id was recorded (handled) before.</summary>
    Task<bool> WebhookSeenAsync(string webhookId);
}
