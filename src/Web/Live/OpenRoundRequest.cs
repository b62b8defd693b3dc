namespace Events.Web.Live;

/// <summary>
/// The argument of OpenRound. <see cref="ClientCommandId"/> makes a retried open create one round
/// only. With <see cref="FromRunningOrder"/> the options are the projects pitching in the session
/// (its running order in the content), and <see cref="Options"/> must be empty or absent.
/// <see cref="MaxChoices"/> (default 1): a ballot chooses up to this many distinct options.
/// <see cref="WindowSeconds"/> (30 to 86400, or absent): the round closes itself that long after it opens.
/// </summary>
public sealed record OpenRoundRequest(string Question, IReadOnlyList<string>? Options, bool ShowTally, bool VerifiedOnly, string ClientCommandId,
    int? MaxChoices = null, int? WindowSeconds = null, bool FromRunningOrder = false);
