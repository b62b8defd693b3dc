namespace Events.Web.Live;

/// <summary>The argument of OpenRound. <see cref="ClientCommandId"/> makes a retried open create one round only.</summary>
public sealed record OpenRoundRequest(string Question, IReadOnlyList<string> Options, bool ShowTally, bool VerifiedOnly, string ClientCommandId);
