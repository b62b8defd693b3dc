using Events.Silo.Store;

namespace Events.Silo.Tests;

/// <summary>
/// The real store with a switch that makes batch writes fail before they reach it, as a store
/// outage would, and counters of the batch calls that did reach it.
/// </summary>
public sealed class FlakyStore(ILiveStore inner) : ILiveStore, IAsyncDisposable
{
    public volatile bool Down;

    /// <summary>While set, batches are committed and then the call fails, as when the connection drops after the commit and before its reply.</summary>
    public volatile bool LoseReplies;

    /// <summary>While set, vote batches wait for it before writing, as behind a slow disk.</summary>
    public TaskCompletionSource? Hold;
    public int VoteBatches;

    /// <summary>While set, reads of rounds and votes fail, as when the database stops answering queries.</summary>
    public volatile bool ReadsDown;
    public int FailedReads;

    private void ThrowIfReadsDown()
    {
        if (ReadsDown)
        {
            Interlocked.Increment(ref FailedReads);
            throw new IOException("store reads failing (test)");
        }
    }
    public int ChatBatches;

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new IOException("store unreachable (test)");
        }
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);
    public Task<SessionSettings> GetSessionAsync(string sessionId) => inner.GetSessionAsync(sessionId);
    public Task SetSessionStatusAsync(string sessionId, SessionStatus status, long atMs) { ThrowIfDown(); return inner.SetSessionStatusAsync(sessionId, status, atMs); }
    public Task SetSlowModeAsync(string sessionId, int seconds) { ThrowIfDown(); return inner.SetSlowModeAsync(sessionId, seconds); }
    public Task SetPinnedAsync(string sessionId, long? messageId) { ThrowIfDown(); return inner.SetPinnedAsync(sessionId, messageId); }
    public Task<SessionCounters> RecordPresenceAsync(string sessionId, IReadOnlyCollection<string> viewerKeys, long newViews, long newReplayViews, long peakCandidate, long atMs) { ThrowIfDown(); return inner.RecordPresenceAsync(sessionId, viewerKeys, newViews, newReplayViews, peakCandidate, atMs); }
    public Task<SessionCounters> GetCountersAsync(string sessionId) => inner.GetCountersAsync(sessionId);
    public Task<string?> GetStreamKeyAsync(string sessionId) => inner.GetStreamKeyAsync(sessionId);
    public Task<IReadOnlyList<StoredVote>> VoidVotesAsync(string roundId, IReadOnlyCollection<string> voterIds, string voidedBy, string reason, long atMs) { ThrowIfDown(); return inner.VoidVotesAsync(roundId, voterIds, voidedBy, reason, atMs); }
    public Task<IReadOnlyList<string>> GetVoidedVotersAsync(string roundId) { ThrowIfReadsDown(); return inner.GetVoidedVotersAsync(roundId); }
    public Task<Contests.JudgingRecord> GetJudgingAsync(string contestId) { ThrowIfReadsDown(); return inner.GetJudgingAsync(contestId); }
    public Task AddJudgeAsync(string contestId, string userId, string displayName, long atMs) { ThrowIfDown(); return inner.AddJudgeAsync(contestId, userId, displayName, atMs); }
    public Task RemoveJudgeAsync(string contestId, string userId) { ThrowIfDown(); return inner.RemoveJudgeAsync(contestId, userId); }
    public Task SaveScoresAsync(string contestId, string userId, IReadOnlyList<Contests.ScoreEntry> scores, long atMs) { ThrowIfDown(); return inner.SaveScoresAsync(contestId, userId, scores, atMs); }
    public Task LockJudgingAsync(string contestId, string? audienceRound, long atMs) { ThrowIfDown(); return inner.LockJudgingAsync(contestId, audienceRound, atMs); }
    public Task SetRevealedAsync(string contestId, int revealed, long atMs) { ThrowIfDown(); return inner.SetRevealedAsync(contestId, revealed, atMs); }
    public Task<Fair.BoothQueueRecord> GetQueueAsync(string company, int finished) { ThrowIfReadsDown(); return inner.GetQueueAsync(company, finished); }
    public Task<bool> AddTicketAsync(Fair.QueueTicket ticket, int maxPerMember) { ThrowIfDown(); return inner.AddTicketAsync(ticket, maxPerMember); }
    public Task UpdateTicketAsync(Fair.QueueTicket ticket) { ThrowIfDown(); return inner.UpdateTicketAsync(ticket); }
    public Task SetQueueOpenAsync(string company, bool open, long atMs) { ThrowIfDown(); return inner.SetQueueOpenAsync(company, open, atMs); }
    public Task<IReadOnlyDictionary<string, Fair.QueueFigures>> GetQueueFiguresAsync() => inner.GetQueueFiguresAsync();
    public Task SetStreamKeyAsync(string sessionId, string streamKey, long atMs) { ThrowIfDown(); return inner.SetStreamKeyAsync(sessionId, streamKey, atMs); }
    public Task StartBroadcastAsync(string sessionId, string broadcastId, long atMs) { ThrowIfDown(); return inner.StartBroadcastAsync(sessionId, broadcastId, atMs); }
    public Task UpdateBroadcastAsync(string sessionId, string broadcastId, string playlist, double seconds, bool ended, long atMs) { ThrowIfDown(); return inner.UpdateBroadcastAsync(sessionId, broadcastId, playlist, seconds, ended, atMs); }
    public Task<IReadOnlyList<BroadcastRecord>> GetBroadcastsAsync(string sessionId) => inner.GetBroadcastsAsync(sessionId);
    public Task<IReadOnlyList<BroadcastRecord>> GetReplaysAsync(int limit) => inner.GetReplaysAsync(limit);
    public Task EndBroadcastAsync(string sessionId, string broadcastId, long atMs) { ThrowIfDown(); return inner.EndBroadcastAsync(sessionId, broadcastId, atMs); }
    public Task<LiveKitStageRecord?> GetLiveKitStageAsync(string sessionId) => inner.GetLiveKitStageAsync(sessionId);
    public Task<IReadOnlyList<string>> GetLiveKitStageSessionsAsync() => inner.GetLiveKitStageSessionsAsync();
    public Task SetLiveKitStageAsync(LiveKitStageRecord stage) { ThrowIfDown(); return inner.SetLiveKitStageAsync(stage); }
    public Task SetLiveKitBroadcastAsync(string sessionId, string broadcastId, string room, string? egressId) { ThrowIfDown(); return inner.SetLiveKitBroadcastAsync(sessionId, broadcastId, room, egressId); }
    public Task<IReadOnlyList<LiveKitBroadcastRecord>> GetOpenLiveKitBroadcastsAsync(string? sessionId) => inner.GetOpenLiveKitBroadcastsAsync(sessionId);
    public Task<MarkerRecord> AddMarkerAsync(string sessionId, string title, string clientMarkerId, long atMs) { ThrowIfDown(); return inner.AddMarkerAsync(sessionId, title, clientMarkerId, atMs); }
    public Task<IReadOnlyList<MarkerRecord>> GetMarkersAsync(string sessionId) => inner.GetMarkersAsync(sessionId);
    public Task SetReplayEditAsync(ReplayEditRecord edit, string playlist, double seconds, bool newOriginal = false) { ThrowIfDown(); return inner.SetReplayEditAsync(edit, playlist, seconds, newOriginal); }
    public Task<IReadOnlyList<ReplayEditRecord>> GetReplayEditsAsync(string? sessionId) => inner.GetReplayEditsAsync(sessionId);
    public Task<bool> WebhookSeenAsync(string webhookId) => inner.WebhookSeenAsync(webhookId);
    public Task<bool> RecordWebhookAsync(string webhookId, long atMs) { ThrowIfDown(); return inner.RecordWebhookAsync(webhookId, atMs); }

    public async Task<IReadOnlyList<ChatAppend>> AppendChatAsync(IReadOnlyList<ChatDraft> drafts)
    {
        ThrowIfDown();
        Interlocked.Increment(ref ChatBatches);
        var appended = await inner.AppendChatAsync(drafts);
        return LoseReplies ? throw new IOException("connection lost after commit (test)") : appended;
    }

    public Task<IReadOnlyList<ChatMessage>> GetRecentChatAsync(string sessionId, int limit) => inner.GetRecentChatAsync(sessionId, limit);
    public Task<IReadOnlyList<ChatMessage>> GetChatAfterAsync(string sessionId, long afterId, int limit) => inner.GetChatAfterAsync(sessionId, afterId, limit);
    public Task<IReadOnlyList<ChatMessage>> GetChatBetweenAsync(string sessionId, long fromMs, long toMs, int limit) => inner.GetChatBetweenAsync(sessionId, fromMs, toMs, limit);
    public Task<ChatMessage?> GetChatMessageAsync(string sessionId, long messageId) => inner.GetChatMessageAsync(sessionId, messageId);
    public Task<bool> DeleteChatAsync(string sessionId, long messageId, string deletedBy, long atMs) { ThrowIfDown(); return inner.DeleteChatAsync(sessionId, messageId, deletedBy, atMs); }
    public Task SetSanctionAsync(Sanction sanction, long atMs) { ThrowIfDown(); return inner.SetSanctionAsync(sanction, atMs); }
    public Task RemoveSanctionAsync(string sessionId, string userId, SanctionKind kind) { ThrowIfDown(); return inner.RemoveSanctionAsync(sessionId, userId, kind); }
    public Task<IReadOnlyList<Sanction>> GetSanctionsAsync(string sessionId) => inner.GetSanctionsAsync(sessionId);
    public Task<IReadOnlyDictionary<string, long>> AddReactionsAsync(string sessionId, IReadOnlyDictionary<string, long> deltas) { ThrowIfDown(); return inner.AddReactionsAsync(sessionId, deltas); }
    public Task<IReadOnlyDictionary<string, long>> GetReactionsAsync(string sessionId) => inner.GetReactionsAsync(sessionId);
    public Task<RoundRecord> CreateRoundAsync(RoundDraft draft) { ThrowIfDown(); return inner.CreateRoundAsync(draft); }
    public Task<RoundRecord?> GetRoundAsync(string roundId) { ThrowIfReadsDown(); return inner.GetRoundAsync(roundId); }
    public Task<IReadOnlyList<RoundRecord>> GetRoundsAsync(string sessionId) => inner.GetRoundsAsync(sessionId);
    public Task<RoundRecord> CloseRoundAsync(string roundId, long atMs) { ThrowIfDown(); return inner.CloseRoundAsync(roundId, atMs); }

    public async Task<IReadOnlyList<VoteOutcome>> CastVotesAsync(IReadOnlyList<VoteDraft> votes)
    {
        ThrowIfDown();
        Interlocked.Increment(ref VoteBatches);
        if (Hold is { } hold)
        {
            await hold.Task;
        }
        var outcomes = await inner.CastVotesAsync(votes);
        return LoseReplies ? throw new IOException("connection lost after commit (test)") : outcomes;
    }

    public Task<IReadOnlyList<StoredVote>> GetVotesAsync(string roundId) { ThrowIfReadsDown(); return inner.GetVotesAsync(roundId); }

    public Task<RoundTally> GetTallyAsync(string roundId) { ThrowIfReadsDown(); return inner.GetTallyAsync(roundId); }

    public ValueTask DisposeAsync() => inner is IAsyncDisposable d ? d.DisposeAsync() : ValueTask.CompletedTask;

    public Task<MemberData> GetMemberDataAsync(string userId) => inner.GetMemberDataAsync(userId);

    public Task ForgetMemberAsync(string userId, string anonymousId)
    {
        ThrowIfDown();
        return inner.ForgetMemberAsync(userId, anonymousId);
    }
}
