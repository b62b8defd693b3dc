using Events.Silo.Live;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Events.Silo.Voting;

/// <summary>
/// This node's door to the vote rounds: the votes that reach this node for one round within a
/// couple of milliseconds go to the round's grain as one call (<see cref="IVoteRoundGrain.CastManyAsync"/>)
/// instead of one call each. In a storm one grain call per vote was the engine's largest cost
/// (about 30% of the votes a second of the engine before Orleans, measured in the benchmark); a
/// batch of a few hundred costs about what one vote did. Nothing about a vote's meaning changes: the
/// grain validates, commits and acknowledges each vote of a batch as it would a single one, and a
/// batch whose call fails (the round's node died, the call timed out, this node is stopping) answers
/// every vote in it "try again", which voters retry with the same client id.
/// </summary>
/// <remarks>
/// A plain service of the node rather than a <c>[StatelessWorker]</c> grain: a call to a local stateless
/// worker is still an Orleans message per vote, the very cost this saves. Batches are sent without
/// waiting for the previous one to be answered (a batch is answered only after its commit, which would
/// otherwise add a whole commit to the next batch's wait).
/// </remarks>
public sealed class VoteIntake(IGrainFactory grains, LiveOptions options, ILogger<VoteIntake> logger)
{
    private readonly Dictionary<string, Batch> open = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Casts one vote through this node's batch for its round; answers as <see cref="IVoteRoundGrain.CastAsync"/> does.</summary>
    public Task<Outcome<VoteAck>> CastAsync(string roundId, Caller voter, string optionId, string clientVoteId)
    {
        var vote = new Queued(new VoteRequest(voter, optionId, clientVoteId));
        Batch? full = null;
        lock (gate)
        {
            if (!open.TryGetValue(roundId, out var batch))
            {
                batch = new Batch(roundId);
                open[roundId] = batch;
                _ = SendLaterAsync(batch);
            }
            batch.Votes.Add(vote);
            if (batch.Votes.Count >= options.VoteIntakeBatch)
            {
                open.Remove(roundId);
                full = batch;
            }
        }
        if (full is not null)
        {
            _ = SendAsync(full);
        }
        return vote.Answer.Task;
    }

    private async Task SendLaterAsync(Batch batch)
    {
        if (options.VoteIntakeLinger > TimeSpan.Zero)
        {
            await Task.Delay(options.VoteIntakeLinger).ConfigureAwait(false);
        }
        else
        {
            await Task.Yield();
        }
        lock (gate)
        {
            // Sent already because it filled up, and maybe followed by a newer batch: that one has its own timer.
            if (!open.TryGetValue(batch.RoundId, out var current) || !ReferenceEquals(current, batch))
            {
                return;
            }
            open.Remove(batch.RoundId);
        }
        await SendAsync(batch).ConfigureAwait(false);
    }

    private async Task SendAsync(Batch batch)
    {
        var requests = new VoteRequest[batch.Votes.Count];
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i] = batch.Votes[i].Request;
        }
        IReadOnlyList<Outcome<VoteAck>> answers;
        try
        {
            answers = await grains.GetGrain<IVoteRoundGrain>(batch.RoundId).CastManyAsync(requests).ConfigureAwait(false);
            if (answers.Count != requests.Length)
            {
                throw new InvalidOperationException($"Round {batch.RoundId} answered {answers.Count} of {requests.Length} votes.");
            }
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "A batch of {Count} votes for round {Round} failed; each is answered try_again", requests.Length, batch.RoundId);
            foreach (var vote in batch.Votes)
            {
                vote.Answer.TrySetResult(LiveError.TryAgain());
            }
            return;
        }
        for (var i = 0; i < requests.Length; i++)
        {
            batch.Votes[i].Answer.TrySetResult(answers[i]);
        }
    }

    private sealed class Batch(string roundId)
    {
        public string RoundId { get; } = roundId;

        public List<Queued> Votes { get; } = [];
    }

    private sealed class Queued(VoteRequest request)
    {
        public VoteRequest Request { get; } = request;

        public TaskCompletionSource<Outcome<VoteAck>> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
