using Events.Silo.Live;
using Events.Silo.Voting;

namespace Events.Silo.Tests;

public static class SessionGrainExtensions
{
    /// <summary>Opens a single-choice round of plain labels, as the hub's OpenRound without rules does.</summary>
    public static Task<Outcome<RoundView>> OpenRoundAsync(this ILiveSessionGrain session, Caller organizer, string question, IReadOnlyList<string?> optionLabels,
        bool showTally, bool verifiedOnly, string clientCommandId) =>
        session.OpenBallotAsync(organizer, new BallotRequest(question, optionLabels.Select(l => new BallotOption(l!, null)).ToArray(), showTally, verifiedOnly, 1, null, clientCommandId));
}
