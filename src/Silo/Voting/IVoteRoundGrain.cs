using Events.Silo.Live;
using Orleans;

namespace Events.Silo.Voting;

/// <summary>
/// One vote round, one activation in the whole cluster. Guarantees: a vote is acknowledged
/// "accepted" only after the batch holding it has committed, and the tally includes it before the
/// acknowledgement is returned; each voter is counted at most once (the store's unique key decides,
/// so this holds across nodes and restarts); a retry with the same client vote id gets the same
/// answer; votes validated before <see cref="CloseAsync"/> are committed and counted before the
/// round is marked closed, and no vote is accepted after. The tally always equals a recount of the
/// stored ballots. Changes are pushed to the session's grain, coalesced.
/// </summary>
public interface IVoteRoundGrain : IGrainWithStringKey
{
    Task<Outcome<VoteAck>> CastAsync(Caller voter, string optionId, string clientVoteId);

    /// <summary>
    /// Casts a ballot of one to the round's <c>MaxChoices</c> distinct options (a single-choice
    /// round takes one). The ballot is final: a second one from the same voter answers
    /// <c>already_voted</c> with the first one's choices. Refused after the round's window by the server's clock.
    /// </summary>
    Task<Outcome<VoteAck>> CastBallotAsync(Caller voter, IReadOnlyList<string> optionIds, string clientVoteId);

    Task<Outcome<RoundView>> CloseAsync(Caller organizer);

    /// <summary>
    /// Voids the counted ballots of these voters, for organizers, with a reason (1 to 200
    /// characters): they stay stored with it and count no more; the tally follows at once, open
    /// round or closed. Returns how many ballots this call voided.
    /// </summary>
    Task<Outcome<int>> VoidAsync(Caller organizer, IReadOnlyList<string> voterIds, string reason);

    /// <summary>The round as viewers see it (tally hidden while the round hides it), or null for an unknown round.</summary>
    Task<RoundView?> ViewAsync();

    /// <summary>The option this voter's counted vote is for, or null.</summary>
    Task<string?> VoteOfAsync(string voterId);
}
