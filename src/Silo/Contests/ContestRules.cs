using Orleans;

namespace Events.Silo.Contests;

/// <summary>
/// How a contest is judged and ranked, from its content. <see cref="Criteria"/> carry weights
/// that sum to 100; each is scored as a whole number from 0 to <see cref="MaxScore"/>.
/// <see cref="AudienceWeight"/> (0 to 100) is the audience vote's share of the final score, the
/// judges' being the rest. <see cref="Projects"/> are the projects ranked (the final's running
/// order); <see cref="FinalSession"/> is where the audience votes and the results are revealed;
/// <see cref="RevealPlaces"/> how many places the reveal announces, from the last of them to first.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ContestRules(
    string ContestId,
    IReadOnlyList<Criterion> Criteria,
    int MaxScore,
    int AudienceWeight,
    string FinalSession,
    IReadOnlyList<string> Projects,
    int RevealPlaces)
{
    /// <summary>How many places the reveal announces: <see cref="RevealPlaces"/>, or every project when there are fewer.</summary>
    public int Places => Math.Min(RevealPlaces, Projects.Count);
}

/// <summary>A judging criterion: its id (a slug of its English name) and its weight in percent.</summary>
[GenerateSerializer, Immutable]
public sealed record Criterion(string Id, int Weight);

/// <summary>One score a judge gives: a project on a criterion.</summary>
[GenerateSerializer, Immutable]
public sealed record ScoreEntry(string Project, string Criterion, int Score);
