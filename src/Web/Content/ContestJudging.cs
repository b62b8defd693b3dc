using Events.Silo.Contests;

namespace Events.Web.Content;

/// <summary>
/// How a contest event is judged, from its front matter: its criteria (names in both languages,
/// ids made from the English names), their weights (summing to 100), the top score of every
/// criterion, the audience vote's weight in percent, the final session (whose running order is
/// ranked, where the audience votes and the results are revealed) and how many places the reveal
/// announces.
/// </summary>
public sealed record ContestJudging(
    LocalizedList CriteriaNames,
    IReadOnlyList<Criterion> Criteria,
    int MaxScore,
    int AudienceWeight,
    string FinalSession,
    int RevealPlaces)
{
    /// <summary>A criterion's name in the reader's language.</summary>
    public string NameOf(string criterionId, bool chinese)
    {
        var i = Criteria.ToList().FindIndex(c => c.Id == criterionId);
        return i < 0 ? criterionId : CriteriaNames.Get(chinese)[i];
    }

    public ContestRules RulesFor(string contestId, IReadOnlyList<string> projects) =>
        new(contestId, Criteria, MaxScore, AudienceWeight, FinalSession, projects, RevealPlaces);

    /// <summary>The id of a criterion (and of a fair's hall, city or major) named <paramref name="englishName"/>: lower case, runs of other characters as one hyphen.</summary>
    public static string IdOf(string englishName) =>
        string.Join('-', System.Text.RegularExpressions.Regex.Split(englishName.ToLowerInvariant(), "[^a-z0-9]+").Where(p => p.Length > 0));
}
