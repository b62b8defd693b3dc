namespace Events.Silo.Contests;

/// <summary>
/// The ranking rule (docs/contest.md has a worked example). For each judge and project, the
/// judge's score is Σ weight × score / maximum over the criteria (0 to 100, the weights summing to
/// 100); a project's judges' score is the mean over the judges. Its audience score is 100 × its
/// votes / the most votes any project has (0 when nobody voted). The final score is
/// (100 − a) % of the judges' score plus a % of the audience score, a being the audience weight.
/// Places follow the final score; a tie goes to the higher judges' score, then to more votes, then
/// to the earlier place in the running order.
/// </summary>
public static class Ranking
{
    /// <param name="sheets">Each judge's scores, by project then criterion; each must be complete.</param>
    /// <param name="votes">Audience votes by project (a ballot of several projects counts once for each).</param>
    public static IReadOnlyList<RankedProject> Rank(ContestRules rules, IReadOnlyCollection<IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> sheets, IReadOnlyDictionary<string, long> votes)
    {
        var most = rules.Projects.Select(p => votes.GetValueOrDefault(p)).DefaultIfEmpty(0).Max();
        var scored = rules.Projects.Select((project, order) =>
        {
            var judge = sheets.Count == 0 ? 0 : sheets.Average(sheet => Weighted(rules, sheet[project]));
            var v = votes.GetValueOrDefault(project);
            var audience = most == 0 ? 0 : 100.0 * v / most;
            var final = ((100 - rules.AudienceWeight) * judge + rules.AudienceWeight * audience) / 100.0;
            return (project, order, final, judge, audience, v);
        })
        .OrderByDescending(x => x.final).ThenByDescending(x => x.judge).ThenByDescending(x => x.v).ThenBy(x => x.order)
        .ToArray();
        return scored.Select((x, i) => new RankedProject(i + 1, x.project, x.final, x.judge, x.audience, x.v)).ToArray();
    }

    /// <summary>One judge's score of one project: Σ weight × score / maximum, 0 to 100.</summary>
    public static double Weighted(ContestRules rules, IReadOnlyDictionary<string, int> scores) =>
        rules.Criteria.Sum(c => (double)c.Weight * scores[c.Id] / rules.MaxScore);

    /// <summary>Whether one judge's scores of a project cover every criterion.</summary>
    public static bool Scored(ContestRules rules, IReadOnlyDictionary<string, int>? scores) =>
        scores is not null && rules.Criteria.All(c => scores.ContainsKey(c.Id));
}
