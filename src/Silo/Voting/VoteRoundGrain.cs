using Events.Silo.Live;
using Events.Silo.Store;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;

namespace Events.Silo.Voting;

/// <summary>
/// One vote round, one activation in the cluster (see <see cref="IVoteRoundGrain"/> for what it
/// guarantees). Votes are validated here, written by a group commit, folded into the tally in the
/// turn that sees their batch committed, and only then acknowledged. Changes are pushed to the
/// session's grain, one at a time and at most once per quarter tick, so a storm costs the session
/// a few calls a second. Reentrant: a vote waiting for its batch does not hold up the next votes.
/// </summary>
[Reentrant]
public sealed class VoteRoundGrain(IRoundStore store, LiveOptions options, EventClock clock, LiveMeters meters, ILogger<VoteRoundGrain> logger)
    : Grain, IVoteRoundGrain
{
    private readonly Dictionary<string, StoredVote> counted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingVote> pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> tally = new(StringComparer.Ordinal);
    // Voters whose ballots were voided (loaded on activation): asked again, they are told so.
    private readonly HashSet<string> voided = new(StringComparer.Ordinal);
    private long ballots;
    private string key = "";
    private RoundRecord? round;
    private bool closing;
    private bool changed;
    private bool notifying;
    private GrainTurns turns = null!;
    private WriteBatcher<VoteDraft, VoteOutcome> batcher = null!;
    private IDisposable? reconciler;
    private IDisposable? closer;
    private long commits;

    /// <summary>How often an open round compares its tally with a recount of the store's ballots.</summary>
    private static readonly TimeSpan ReconcileEvery = TimeSpan.FromSeconds(5);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        key = this.GetPrimaryKeyString();
        turns = GrainTurns.OfCurrentGrain();
        batcher = new WriteBatcher<VoteDraft, VoteOutcome>((d, _) => turns.RunAsync(() => CommitAsync(d)), options.MaxBatch, options.BatchLinger, options.WriteQueueCapacity, meters.RecordVoteBatch);
        round = await store.GetRoundAsync(key);
        if (round is null)
        {
            return;
        }
        foreach (var option in round.Options)
        {
            tally[option.Id] = 0;
        }
        foreach (var vote in await store.GetVotesAsync(key))
        {
            counted[vote.VoterId] = vote;
            Count(vote.OptionId);
        }
        voided.UnionWith(await store.GetVoidedVotersAsync(key));
        if (round.Status == RoundStatus.Open)
        {
            reconciler = this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(ReconcileEvery, ReconcileEvery) { Interleave = true });
            ScheduleClose();
        }
    }

    public async Task<Outcome<int>> VoidAsync(Caller organizer, IReadOnlyList<string> voterIds, string reason)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        if (round is null)
        {
            return LiveError.UnknownRound(key);
        }
        reason = (reason ?? "").Trim();
        if (reason.Length is 0 or > 200)
        {
            return LiveError.InvalidArgument("reason", "must say why, in 1 to 200 characters");
        }
        if (voterIds is null || voterIds.Count is 0 or > 100_000 || voterIds.Any(string.IsNullOrEmpty))
        {
            return LiveError.InvalidArgument("voterIds", "must name 1 to 100,000 voters");
        }
        var done = await store.VoidVotesAsync(key, voterIds, organizer.UserId!, reason, NowMs);
        // In the turn that sees the void committed: a recount read before it is not taken afterwards.
        commits++;
        foreach (var vote in done)
        {
            voided.Add(vote.VoterId);
            if (counted.Remove(vote.VoterId))
            {
                Count(vote.OptionId, -1);
            }
        }
        if (done.Count > 0)
        {
            Changed();
        }
        return done.Count;
    }

    /// <summary>Adds a ballot to the tally (<paramref name="delta"/> 1), or takes a voided one out (-1).</summary>
    private void Count(string choices, int delta = 1)
    {
        ballots += delta;
        foreach (var option in Choices.Split(choices))
        {
            tally[option] = tally.GetValueOrDefault(option) + delta;
        }
    }

    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether the round's window is over by the server's clock (it closes itself then, see <see cref="ScheduleClose"/>).</summary>
    private bool PastWindow => round?.ClosesAtMs is { } until && NowMs >= until;

    /// <summary>
    /// A round with a window closes itself when it ends, by the server's clock: the grain checks
    /// every second (a timer cannot wait longer than its node's clock may be moved), and a vote that
    /// arrives after the end is refused even before the close has been written.
    /// </summary>
    private void ScheduleClose()
    {
        if (round?.ClosesAtMs is null || closer is not null)
        {
            return;
        }
        closer = this.RegisterGrainTimer(async _ =>
        {
            if (round is { Status: RoundStatus.Open } && PastWindow && !closing)
            {
                await CloseNowAsync();
            }
        }, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromSeconds(1)) { Interleave = true, KeepAlive = true });
    }

    /// <summary>
    /// Ballots this activation did not write can reach the store: a commit whose reply was lost, or
    /// the last batch of a node that was declared dead while it was still writing. While the round
    /// is open and quiet, its tally is compared with the store's recount now and then, and takes it
    /// when they differ, so the live tally converges on the recount without waiting for the close.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (round is not { Status: RoundStatus.Open } || closing || pending.Count > 0)
        {
            return;
        }
        var before = commits;
        RoundTally recount;
        try
        {
            recount = await store.GetTallyAsync(key);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Recounting round {Round} failed; trying again later", key);
            return;
        }
        if (commits != before || pending.Count > 0 || closing || round.Status != RoundStatus.Open)
        {
            return;
        }
        var differed = ballots != recount.Ballots;
        ballots = recount.Ballots;
        foreach (var option in tally.Keys.ToArray())
        {
            var stored = recount.Options.GetValueOrDefault(option);
            if (tally[option] != stored)
            {
                tally[option] = stored;
                differed = true;
            }
        }
        if (differed)
        {
            logger.LogInformation("Round {Round}: the tally took the store's recount (ballots written outside this activation)", key);
            Changed();
        }
    }

    /// <summary>Votes already queued are committed before the grain goes.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        reconciler?.Dispose();
        closer?.Dispose();
        await batcher.DisposeAsync();
    }

    public Task<Outcome<VoteAck>> CastAsync(Caller voter, string optionId, string clientVoteId) =>
        CastBallotAsync(voter, [optionId], clientVoteId);

    public Task<Outcome<VoteAck>> CastBallotAsync(Caller voter, IReadOnlyList<string> optionIds, string clientVoteId)
    {
        if (round is null)
        {
            return Done(LiveError.UnknownRound(key));
        }
        if (!voter.IsSignedIn)
        {
            return Done(LiveError.Unauthenticated());
        }
        if (voided.Contains(voter.UserId!))
        {
            return Done(LiveError.BallotVoided());
        }
        // A retry of a counted ballot gets the same answer, even after the round closed.
        if (counted.TryGetValue(voter.UserId!, out var earlier))
        {
            return Done(Answer(earlier, clientVoteId));
        }
        if (round.Status == RoundStatus.Closed || closing || PastWindow)
        {
            return Done(LiveError.RoundClosed(key));
        }
        if (round.Eligibility == RoundEligibility.Verified && !voter.IsVerified)
        {
            return Done(LiveError.NotEligible("verified alumni"));
        }
        if (Validate(optionIds) is { } invalid)
        {
            return Done(invalid);
        }
        var voterId = voter.UserId!;
        if (pending.TryGetValue(voterId, out var inFlight))
        {
            return FollowAsync(inFlight, clientVoteId);
        }
        // Stored in the round's option order, so that one set of choices is one value.
        var choices = optionIds.Count == 1 ? optionIds[0] : Choices.Join(round.Options.Select(o => o.Id).Where(optionIds.Contains));
        var draft = new VoteDraft(key, voterId, choices, clientVoteId, NowMs);
        if (!batcher.TryEnqueue(draft, out var committed))
        {
            return Done(LiveError.TryAgain());
        }
        var ack = AcknowledgeAsync(committed, clientVoteId);
        pending[voterId] = new PendingVote(clientVoteId, ack);
        return ack;
    }

    /// <summary>One to the round's most choices, each an option of the round, none twice.</summary>
    private Outcome<VoteAck>? Validate(IReadOnlyList<string> optionIds)
    {
        if (optionIds.Count == 0)
        {
            return LiveError.InvalidArgument("optionIds", "must name at least one option");
        }
        if (optionIds.Count > round!.MaxChoices)
        {
            return LiveError.TooManyChoices(round.MaxChoices);
        }
        for (var i = 0; i < optionIds.Count; i++)
        {
            if (optionIds[i] is null || !tally.ContainsKey(optionIds[i]))
            {
                return LiveError.InvalidOption(optionIds[i] ?? "");
            }
            for (var k = 0; k < i; k++)
            {
                if (optionIds[k] == optionIds[i])
                {
                    return LiveError.RepeatedChoice(optionIds[i]);
                }
            }
        }
        return null;
    }

    private static Task<Outcome<VoteAck>> Done(Outcome<VoteAck> outcome) => Task.FromResult(outcome);

    private VoteAck Answer(StoredVote countedVote, string clientVoteId) =>
        new(key, countedVote.ClientVoteId == clientVoteId ? "accepted" : "already_voted", countedVote.OptionId, Choices.Split(countedVote.OptionId));

    private async Task<Outcome<VoteAck>> AcknowledgeAsync(Task<VoteOutcome> committed, string clientVoteId)
    {
        try
        {
            var outcome = await committed;
            if (outcome.RoundClosed)
            {
                return LiveError.RoundClosed(key);
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
        var outcome = await first.Ack;
        if (!outcome.IsOk)
        {
            return outcome;
        }
        var ack = outcome.Value!;
        return first.ClientVoteId == clientVoteId || ack.Status == "already_voted" ? ack : ack with { Status = "already_voted" };
    }

    /// <summary>Writes a batch and folds it into the tally (a turn of this grain), before any of its votes is acknowledged.</summary>
    private async Task<IReadOnlyList<VoteOutcome>> CommitAsync(IReadOnlyList<VoteDraft> drafts)
    {
        commits++;
        IReadOnlyList<VoteOutcome> outcomes;
        RoundTally? fresh = null;
        try
        {
            outcomes = await store.CastVotesAsync(drafts);
            // A vote the store already had that this activation never counted (its commit's reply was
            // lost) is in the store's tally but not in ours: then the tally is read from the store
            // before anything of this batch is acknowledged.
            if (Enumerable.Range(0, drafts.Count).Any(i => !outcomes[i].Inserted && !outcomes[i].RoundClosed && !counted.ContainsKey(drafts[i].VoterId)))
            {
                fresh = await store.GetTallyAsync(key);
            }
        }
        catch
        {
            // Not acknowledged: the voters' retries are tried afresh.
            foreach (var d in drafts)
            {
                pending.Remove(d.VoterId);
            }
            throw;
        }
        var closedMeanwhile = false;
        for (var i = 0; i < drafts.Count; i++)
        {
            var d = drafts[i];
            var o = outcomes[i];
            pending.Remove(d.VoterId);
            if (o.RoundClosed)
            {
                closedMeanwhile = true;
                continue;
            }
            counted[d.VoterId] = new StoredVote(d.VoterId, o.OptionId, o.ClientVoteId);
            if (o.Inserted && fresh is null)
            {
                Count(o.OptionId);
            }
        }
        if (fresh is not null)
        {
            ballots = fresh.Ballots;
            foreach (var option in tally.Keys.ToArray())
            {
                tally[option] = fresh.Options.GetValueOrDefault(option);
            }
        }
        if (closedMeanwhile && await store.GetRoundAsync(key) is { } stored)
        {
            round = stored;
        }
        Changed();
        return outcomes;
    }

    public async Task<Outcome<RoundView>> CloseAsync(Caller organizer)
    {
        if (!organizer.CanOrganize)
        {
            return LiveError.Forbidden("organizer");
        }
        if (round is null)
        {
            return LiveError.UnknownRound(key);
        }
        if (round.Status == RoundStatus.Closed)
        {
            return BuildView(round);
        }
        return await CloseNowAsync();
    }

    /// <summary>Votes already validated are committed and counted, then the round is marked closed and its tally taken from the recount.</summary>
    private async Task<Outcome<RoundView>> CloseNowAsync()
    {
        closing = true;
        await Task.WhenAll(pending.Values.Select(p => (Task)p.Ack));
        RoundRecord closed;
        RoundTally final;
        try
        {
            // A round that closes itself at its window's end is marked closed at that moment.
            closed = await store.CloseRoundAsync(key, round!.ClosesAtMs is { } until && NowMs >= until ? until : NowMs);
            // The result is the store's count, the recount of the ballots.
            final = await store.GetTallyAsync(key);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Closing round {Round} failed", key);
            closing = false;
            return LiveError.TryAgain();
        }
        round = closed;
        closing = false;
        reconciler?.Dispose();
        closer?.Dispose();
        ballots = final.Ballots;
        foreach (var option in closed.Options)
        {
            tally[option.Id] = final.Options.GetValueOrDefault(option.Id);
        }
        Changed();
        return BuildView(round);
    }

    public Task<RoundView?> ViewAsync() => Task.FromResult(round is null ? null : BuildView(round));

    public Task<string?> VoteOfAsync(string voterId) =>
        Task.FromResult(counted.TryGetValue(voterId, out var vote) ? vote.OptionId : null);

    /// <summary>Tells the session, one call at a time, at most once per quarter tick, with the latest view.</summary>
    private void Changed()
    {
        changed = true;
        if (!notifying && round is not null)
        {
            notifying = true;
            _ = NotifyAsync(GrainFactory.GetGrain<ILiveSessionGrain>(round.SessionId));
        }
    }

    private async Task NotifyAsync(ILiveSessionGrain session)
    {
        var spacing = TimeSpan.FromTicks(options.Tick.Ticks / 4);
        try
        {
            while (changed)
            {
                changed = false;
                try
                {
                    await session.RoundChangedAsync(BuildView(round!));
                }
                catch (Exception e)
                {
                    // The session grain is unreachable (its node died): it reads every round when it activates again.
                    logger.LogDebug(e, "Telling session {Session} of round {Round} failed", round!.SessionId, key);
                }
                await Task.Delay(spacing);
            }
        }
        finally
        {
            notifying = false;
        }
    }

    private RoundView BuildView(RoundRecord r)
    {
        var visible = r.ShowTally || r.Status == RoundStatus.Closed;
        var options = r.Options.Select(o => new OptionView(o.Id, o.Label, visible ? tally.GetValueOrDefault(o.Id) : null, o.Project)).ToArray();
        return new RoundView(r.RoundId, r.SessionId, r.Question, options, r.Status == RoundStatus.Open ? "open" : "closed", r.ShowTally,
            r.Eligibility == RoundEligibility.Verified ? "verified" : "members", ballots, r.OpenedAtMs, r.ClosedAtMs, r.MaxChoices, r.ClosesAtMs);
    }

    private sealed record PendingVote(string ClientVoteId, Task<Outcome<VoteAck>> Ack);
}
