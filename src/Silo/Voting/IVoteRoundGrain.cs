using Events.Silo.Live;

namespace Events.Silo.Voting;

/// <summary>
/// One vote round. Guarantees: a vote is acknowledged "accepted" only after the batch holding it
/// has committed, and the tally includes it before the acknowledgement is returned; each voter
/// is counted at most once (the store's unique key decides, so this holds across nodes and
/// restarts); a retry with the same client vote id gets the same answer; votes validated before
/// <see cref="CloseAsync"/> are committed and counted before the round is marked closed, and no
/// vote is accepted after.
/// </summary>
public interface IVoteRoundGrain
{
    Task<Outcome<VoteAck>> CastAsync(Caller voter, string optionId, string clientVoteId);

    Task<Outcome<RoundView>> CloseAsync(Caller organizer);

    /// <summary>The round as viewers see it (tally hidden while the round hides it), or null for an unknown round.</summary>
    Task<RoundView?> ViewAsync();

    /// <summary>Grows whenever the view changes; read without a turn to skip unchanged rounds.</summary>
    long Version { get; }
}
