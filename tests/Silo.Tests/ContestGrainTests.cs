using Events.Silo.Contests;
using Events.Silo.Live;
using Events.Silo.Voting;

namespace Events.Silo.Tests;

/// <summary>The ranking rule on the worked example of docs/contest.md, and the contest grain: sheets, the lock, the reveal, and all of it kept across a reactivation.</summary>
public sealed class ContestGrainTests
{
    private static readonly Criterion[] TwoCriteria = [new("innovation", 60), new("team", 40)];

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Sheet(params (string Project, int Innovation, int Team)[] rows) =>
        rows.ToDictionary(r => r.Project, r => (IReadOnlyDictionary<string, int>)new Dictionary<string, int> { ["innovation"] = r.Innovation, ["team"] = r.Team });

    [Fact]
    public void The_worked_example_ranks_by_seventy_percent_judges_and_thirty_percent_audience()
    {
        var rules = new ContestRules("c", TwoCriteria, 10, 30, "s-final", ["p1", "p2", "p3"], 3);
        var judgeA = Sheet(("p1", 8, 6), ("p2", 7, 9), ("p3", 9, 9));
        var judgeB = Sheet(("p1", 9, 7), ("p2", 6, 8), ("p3", 8, 9));
        var votes = new Dictionary<string, long> { ["p1"] = 200, ["p2"] = 400, ["p3"] = 100 };

        var ranking = Ranking.Rank(rules, [judgeA, judgeB], votes);

        // p1: judges (48 + 24 = 72, 54 + 28 = 82) → 77; audience 200 / 400 → 50; 0.7 × 77 + 0.3 × 50 = 68.9.
        // p2: judges (78, 68) → 73; audience 100; 51.1 + 30 = 81.1. p3: judges (90, 84) → 87; audience 25; 60.9 + 7.5 = 68.4.
        Assert.Equal(["p2", "p1", "p3"], ranking.Select(r => r.Project));
        Assert.Equal([81.1, 68.9, 68.4], ranking.Select(r => Math.Round(r.Final, 6)));
        Assert.Equal([73.0, 77.0, 87.0], ranking.Select(r => r.JudgeScore));
        Assert.Equal([100.0, 50.0, 25.0], ranking.Select(r => r.AudienceScore));
        Assert.Equal([1, 2, 3], ranking.Select(r => r.Place));
        // The judges alone would have put p3 first: the audience's 30% is what moves p2 up.
        Assert.Equal(["p3", "p1", "p2"], Ranking.Rank(rules with { AudienceWeight = 0 }, [judgeA, judgeB], votes).Select(r => r.Project));
    }

    [Fact]
    public void Ties_go_to_the_judges_then_to_votes_then_to_the_running_order()
    {
        var rules = new ContestRules("c", TwoCriteria, 10, 50, "s-final", ["p1", "p2", "p3", "p4"], 3);
        // p1 and p2: final 50 each, p2 with the higher judges' score; p3 and p4 identical: running order.
        var sheet = Sheet(("p1", 0, 0), ("p2", 10, 10), ("p3", 5, 5), ("p4", 5, 5));
        var ranking = Ranking.Rank(rules, [sheet], new Dictionary<string, long> { ["p1"] = 10, ["p2"] = 0 });
        Assert.Equal(["p2", "p1", "p3", "p4"], ranking.Select(r => r.Project));
        Assert.Equal(ranking[0].Final, ranking[1].Final);
    }

    [Fact]
    public async Task Judges_keep_their_own_sheets_the_lock_needs_them_whole_and_everything_survives_a_reactivation()
    {
        var t = await LiveCluster.StartAsync();
        BallotOption[] options = [new("SoilSense", "soil-sense"), new("MedLink", "med-link"), new("Photon Needle", "micro-lidar-chip")];
        var rules = new ContestRules("contest-x", TwoCriteria, 10, 30, "s-final", options.Select(o => o.Project!).ToArray(), 2);
        t.Catalog.SetContest(rules);
        var judgeA = LiveCluster.Member("ja");
        var judgeB = LiveCluster.Member("jb");
        var contest = t.Contest("contest-x");

        Assert.Equal("not_a_judge", (await contest.GetSheetAsync(judgeA)).Error?.Code);
        Assert.Equal("forbidden", (await contest.AddJudgeAsync(judgeA, "ja", "A")).Error?.Code);
        Assert.Equal("unknown_contest", (await t.Contest("nope").GetStatusAsync(LiveCluster.Organizer)).Error?.Code);
        Assert.True((await contest.AddJudgeAsync(LiveCluster.Organizer, "ja", "Judge A")).IsOk);
        Assert.True((await contest.AddJudgeAsync(LiveCluster.Organizer, "jb", "Judge B")).IsOk);

        // Every entry is checked before any is written.
        Assert.Equal("score_out_of_range", (await contest.SaveScoresAsync(judgeA, [new("soil-sense", "team", 7), new("med-link", "team", 11)])).Error?.Code);
        Assert.Equal("invalid_project", (await contest.SaveScoresAsync(judgeA, [new("soil-sense", "team", 7), new("ghost", "team", 1)])).Error?.Code);
        Assert.Equal("invalid_criterion", (await contest.SaveScoresAsync(judgeA, [new("soil-sense", "looks", 1)])).Error?.Code);
        Assert.Equal(0, (await contest.GetSheetAsync(judgeA)).Value!.Scores.Values.Sum(s => s.Count));

        ScoreEntry[] Full(int innovation, int team) => rules.Projects.SelectMany(p => new ScoreEntry[] { new(p, "innovation", innovation), new(p, "team", team) }).ToArray();
        Assert.Equal(3, (await contest.SaveScoresAsync(judgeA, Full(8, 6))).Value!.Complete);
        var bSheet = (await contest.GetSheetAsync(judgeB)).Value!;
        Assert.Equal(0, bSheet.Complete);
        Assert.All(bSheet.Scores.Values, s => Assert.Empty(s));
        Assert.Equal("sheets_incomplete", (await contest.LockAsync(LiveCluster.Organizer, null)).Error?.Code);
        Assert.True((await contest.SaveScoresAsync(judgeB, Full(9, 7))).IsOk);
        Assert.Equal("judging_not_locked", (await contest.RankingAsync(LiveCluster.Organizer)).Error?.Code);

        var round = (await t.Session("s-final").OpenBallotAsync(LiveCluster.Organizer, new BallotRequest("Audience", options, true, false, 1, null, "r1"))).Value!;
        Assert.True((await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v1"), "b", "c1")).IsOk);
        Assert.Equal("invalid_argument", (await contest.LockAsync(LiveCluster.Organizer, null)).Error?.Code);
        Assert.Equal("round_still_open", (await contest.LockAsync(LiveCluster.Organizer, round.RoundId)).Error?.Code);
        Assert.True((await t.Round(round.RoundId).CloseAsync(LiveCluster.Organizer)).IsOk);
        Assert.True((await contest.LockAsync(LiveCluster.Organizer, round.RoundId)).IsOk);
        Assert.Equal("judging_locked", (await contest.SaveScoresAsync(judgeA, [new("soil-sense", "team", 1)])).Error?.Code);
        Assert.Equal("judging_locked", (await contest.AddJudgeAsync(LiveCluster.Organizer, "jc", "Judge C")).Error?.Code);

        // Judges' scores are equal on every project (77), so the one vote decides: med-link first.
        var ranking = (await contest.RankingAsync(judgeA)).Value!;
        Assert.Equal("med-link", ranking[0].Project);
        Assert.Equal(0.7 * 77 + 30, ranking[0].Final, 6);
        Assert.Equal("forbidden", (await contest.RankingAsync(LiveCluster.Member("someone"))).Error?.Code);
        // The export's scores, asked through both silos (so one call crosses to the other): every score, with its judge's name.
        foreach (var node in new[] { 0, 1 })
        {
            var scores = (await t.Contest("contest-x", node).ScoresAsync(LiveCluster.Organizer)).Value!;
            Assert.Equal(2 * 3 * 2, scores.Count);
            Assert.Equal(("Judge A", "soil-sense", "innovation", 8), (scores[0].JudgeName, scores[0].Project, scores[0].Criterion, scores[0].Score));
            Assert.Equal(("Judge B", "micro-lidar-chip", "team", 7), (scores[^1].JudgeName, scores[^1].Project, scores[^1].Criterion, scores[^1].Score));
            Assert.Equal(6, (await t.Contest("contest-x", node).GetSheetAsync(judgeA)).Value!.Scores["med-link"]["team"]);
        }

        Assert.Equal("reveal_out_of_range", (await contest.RevealAsync(LiveCluster.Organizer, 3)).Error?.Code);
        var step = (await contest.RevealAsync(LiveCluster.Organizer, 1)).Value!;
        Assert.Equal(2, step.Shown.Single().Place);
        await Eventually.TrueAsync(async () => (await t.Session("s-final").PeekAsync(Caller.Anonymous)).Results?.Shown.Count == 1, "the final's viewers to be shown second place");

        // Deactivated, both grains come back from the store with the same judges, sheets, lock and reveal.
        var status = (await contest.GetStatusAsync(LiveCluster.Organizer)).Value!;
        await t.Cluster.DeactivateAsync(contest);
        await t.Cluster.DeactivateAsync(t.Session("s-final"));
        var again = (await t.Contest("contest-x", 1).GetStatusAsync(LiveCluster.Organizer)).Value!;
        Assert.Equal(status.Judges, again.Judges);
        Assert.Equal(status.LockedAt, again.LockedAt);
        Assert.Equal(round.RoundId, again.AudienceRound);
        Assert.Equal(1, again.Revealed);
        Assert.Equal(ranking, (await t.Contest("contest-x", 1).RankingAsync(LiveCluster.Organizer)).Value!);
        var shown = (await t.Session("s-final", 1).PeekAsync(Caller.Anonymous)).Results!;
        Assert.Equal(step.Shown, shown.Shown);
    }
}
