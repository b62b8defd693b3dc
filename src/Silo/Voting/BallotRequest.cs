using Orleans;

namespace Events.Silo.Voting;

/// <summary>An option as the organizer asks for it; <see cref="Project"/> is the slug of the contest project it stands for, or null.</summary>
[GenerateSerializer, Immutable]
public sealed record BallotOption(string Label, string? Project);

/// <summary>
/// A round as the organizer opens it. <see cref="MaxChoices"/>: a ballot chooses 1 to this many
/// distinct options (1: a single choice). <see cref="WindowSeconds"/>: the round closes itself
/// this long after it opens (30 s to a day), by the server's clock; null: when the organizer
/// closes it. <see cref="ClientCommandId"/> makes a retried open create one round only.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record BallotRequest(
    string Question,
    IReadOnlyList<BallotOption> Options,
    bool ShowTally,
    bool VerifiedOnly,
    int MaxChoices,
    int? WindowSeconds,
    string ClientCommandId);
