using Events.Silo.Grains;
using Events.Silo.Live;
using Events.Silo.Store;

namespace Events.Silo.Voting;

public sealed class VoteRoundGrain : Grain, IVoteRoundGrain, IAsyncDisposable
{
    private readonly ILiveStore store;
    private readonly Bus.ILiveBus? bus;
    private volatile bool stale;
    private readonly TimeProvider clock;
    private readonly WriteBatcher<VoteDraft, VoteOutcome> batcher;
    private readonly Dictionary<string, StoredVote> counted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingVote> pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> tally = new(StringComparer.Ordinal);
    private RoundRecord? round;
    private bool closing;
    private long version;

    public VoteRoundGrain(string roundId, ILiveStore store, TimeProvider clock, LiveOptions options, LiveMeters? meters = null, Bus.ILiveBus? bus = null)
        : base(roundId)
    {
        this.store = store;
        this.bus = bus;
        this.clock = clock;
        batcher = new WriteBatcher<VoteDraft, VoteOutcome>(CommitAsync, options.MaxBatch, options.BatchLinger, options.WriteQueueCapacity, meters is null ? null : meters.RecordVoteBatch);
    }

    public long Version => Volatile.Read(ref version);

    protected internal override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        round = await store.GetRoundAsync(Key).ConfigureAwait(false);
        if (round is null)
        {
            return;
        }
        foreach (var option in round.Options)
        {
            tally[option.Id] = 0;
        }
        foreach (var vote in await store.GetVotesAsync(Key).ConfigureAwait(false))
        {
            counted[vote.VoterId] = vote;
            tally[vote.OptionId] = tally.GetValueOrDefault(vote.OptionId) + 1;
        }
    }

    protected override bool CanDeactivate => pending.Count == 0 && !closing;

    public async Task<Outcome<VoteAck>> CastAsync(Caller voter, string optionId, string clientVoteId)
    {
        var answer = await Turn(() => Admit(voter, optionId, clientVoteId)).ConfigureAwait(false);
        return await answer.ConfigureAwait(false);
    }

    private Task<Outcome<VoteAck>> Admit(Caller voter, string optionId, string clientVoteId)
    {
        if (round is null)
        {
            return Done(LiveError.UnknownRound(Key));
        }
        if (!voter.IsSignedIn)
        {
            return Done(LiveError.Unauthenticated());
        }
        // A retry of a counted vote gets the same answer, even after the round closed.
        if (counted.TryGetValue(voter.UserId!, out var earlier))
        {
            return Done(Answer(earlier, clientVoteId));
        }
        if (round.Status == RoundStatus.Closed || closing)
        {
            return Done(LiveError.RoundClosed(Key));
        }
        if (round.Eligibility == RoundEligibility.Verified && !voter.IsVerified)
        {
            return Done(LiveError.NotEligible("verified alumni"));
        }
        if (!tally.ContainsKey(optionId))
        {
            return Done(LiveError.InvalidOption(optionId));
        }
        var voterId = voter.UserId!;
        if (pending.TryGetValue(voterId, out var inFlight))
        {
            return FollowAsync(inFlight, clientVoteId);
        }
        var draft = new VoteDraft(Key, voterId, optionId, clientVoteId, clock.GetUtcNow().ToUnixTimeMilliseconds());
        if (!batcher.TryEnqueue(draft, out var committed))
        {
            return Done(LiveError.TryAgain());
        }
        var ack = AcknowledgeAsync(committed, clientVoteId);
        pending[voterId] = new PendingVote(clientVoteId, ack);
        return ack;
    }

    private static Task<Outcome<VoteAck>> Done(Outcome<VoteAck> outcome) => Task.FromResult(outcome);

    private VoteAck Answer(StoredVote countedVote, string clientVoteId) =>
        new(Key, countedVote.ClientVoteId == clientVoteId ? "accepted" : "already_voted", countedVote.OptionId);

    private async Task<Outcome<VoteAck>> AcknowledgeAsync(Task<VoteOutcome> committed, string clientVoteId)
    {
        try
        {
            var outcome = await committed.ConfigureAwait(false);
            if (outcome.RoundClosed)
            {
                return LiveError.RoundClosed(Key);
            }
            return Answer(new StoredVote("", outcome.OptionId, outcome.ClientVoteId), clientVoteId);
        }
        catch (Exception)
        {
            return LiveError.TryAgain();
        }
    }

    /// <summary>A second vote from a voter whose first is still being written gets its answer from the first.</summary>
    private static async Task<Outcome<VoteAck>> FollowAsync(PendingVote first, string clientVoteId)
    {
        var outcome = await first.Ack.ConfigureAwait(false);
        if (!outcome.IsOk)
        {
            return outcome;
        }
        var ack = outcome.Value!;
        return first.ClientVoteId == clientVoteId || ack.Status == "already_voted" ? ack : ack with { Status = "already_voted" };
    }

    /// <summary>Writes a batch, then folds it into the tally in one turn, before any of its votes is acknowledged.</summary>
    private async Task<IReadOnlyList<VoteOutcome>> CommitAsync(IReadOnlyList<VoteDraft> drafts, CancellationToken cancellationToken)
    {
        IReadOnlyList<VoteOutcome> outcomes;
        try
        {
            outcomes = await store.CastVotesAsync(drafts).ConfigureAwait(false);
        }
        catch
        {
            await Turn(() =>
            {
                foreach (var d in drafts)
                {
                    pending.Remove(d.VoterId);
                }
                return 0;
            }).ConfigureAwait(false);
            throw;
        }
        // A vote the store already had that this activation never counted (its commit's reply was
        // lost, or another node wrote it) is in the store's tally but not in ours: then the tally is
        // read from the store before anything of this batch is acknowledged.
        var unknown = await Turn(() => Enumerable.Range(0, drafts.Count)
            .Any(i => !outcomes[i].Inserted && !outcomes[i].RoundClosed && !counted.ContainsKey(drafts[i].VoterId))).ConfigureAwait(false);
        var fresh = unknown ? await store.GetTallyAsync(Key).ConfigureAwait(false) : null;
        await Turn(() =>
        {
            for (var i = 0; i < drafts.Count; i++)
            {
                var d = drafts[i];
                var o = outcomes[i];
                pending.Remove(d.VoterId);
                if (o.RoundClosed)
                {
                    // Closed by another node: learn it from the store on the next tick.
                    stale = true;
                    continue;
                }
                counted[d.VoterId] = new StoredVote(d.VoterId, o.OptionId, o.ClientVoteId);
                if (o.Inserted && fresh is null)
                {
                    tally[o.OptionId] = tally.GetValueOrDefault(o.OptionId) + 1;
                }
            }
            if (fresh is not null)
            {
                foreach (var option in tally.Keys.ToArray())
                {
                    tally[option] = fresh.GetValueOrDefault(option);
                }
            }
            Interlocked.Increment(ref version);
            return 0;
        }).ConfigureAwait(false);
        await SignalAsync().ConfigureAwait(false);
        return outcomes;
    }

    public async Task<Outcome<RoundView>> CloseAsync(Caller organizer)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        var inFlight = await Turn(() =>
        {
            if (round is null)
            {
                return null;
            }
            closing = true;
            return pending.Values.Select(p => (Task)p.Ack).ToArray();
        }).ConfigureAwait(false);
        if (inFlight is null)
        {
            return LiveError.UnknownRound(Key);
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        RoundRecord closed;
        IReadOnlyDictionary<string, long> final;
        try
        {
            closed = await store.CloseRoundAsync(Key, clock.GetUtcNow().ToUnixTimeMilliseconds()).ConfigureAwait(false);
            // The result is the store's count: other nodes may have committed votes this node has not heard of yet.
            final = await store.GetTallyAsync(Key).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await Turn(() => closing = false).ConfigureAwait(false);
            return LiveError.TryAgain();
        }
        var view = await Turn(() =>
        {
            round = closed;
            closing = false;
            foreach (var option in closed.Options)
            {
                tally[option.Id] = final.GetValueOrDefault(option.Id);
            }
            Interlocked.Increment(ref version);
            return (Outcome<RoundView>)BuildView(round);
        }).ConfigureAwait(false);
        await SignalAsync().ConfigureAwait(false);
        return view;
    }

    private ValueTask SignalAsync() =>
        bus is null || round is null ? ValueTask.CompletedTask : bus.PublishAsync(new Bus.BusSignal(bus.NodeId, round.SessionId, Bus.BusSignalKind.TallyChanged, 0, Key));

    /// <summary>Another node committed votes or closed the round: the next <see cref="RefreshIfStaleAsync"/> reads the store.</summary>
    public void MarkStale() => stale = true;

    /// <summary>
    /// Replaces the tally and the round's state with the store's, at most once per call however many
    /// signals came (the session's tick calls it), so a storm on another node costs one grouped read per tick here.
    /// </summary>
    public async Task RefreshIfStaleAsync()
    {
        if (!stale)
        {
            return;
        }
        stale = false;
        try
        {
            await RefreshAsync().ConfigureAwait(false);
        }
        catch
        {
            // Still behind the store: the next call tries again, even if no new signal comes.
            stale = true;
            throw;
        }
    }

    private Task RefreshAsync() =>
        TurnAsync(async () =>
        {
            var record = await store.GetRoundAsync(Key).ConfigureAwait(false);
            if (record is null)
            {
                return 0;
            }
            var stored = await store.GetTallyAsync(Key).ConfigureAwait(false);
            round = record;
            foreach (var option in record.Options)
            {
                tally[option.Id] = stored.GetValueOrDefault(option.Id);
            }
            Interlocked.Increment(ref version);
            return 0;
        });

    public Task<RoundView?> ViewAsync() => Turn(() => round is null ? null : BuildView(round));

    private RoundView BuildView(RoundRecord r)
    {
        var visible = r.ShowTally || r.Status == RoundStatus.Closed;
        var options = r.Options.Select(o => new OptionView(o.Id, o.Label, visible ? tally.GetValueOrDefault(o.Id) : null)).ToArray();
        return new RoundView(r.RoundId, r.SessionId, r.Question, options, r.Status == RoundStatus.Open ? "open" : "closed", r.ShowTally,
            r.Eligibility == RoundEligibility.Verified ? "verified" : "members", tally.Values.Sum(), r.OpenedAtMs, r.ClosedAtMs);
    }

    public ValueTask DisposeAsync() => batcher.DisposeAsync();

    private sealed record PendingVote(string ClientVoteId, Task<Outcome<VoteAck>> Ack);
}
