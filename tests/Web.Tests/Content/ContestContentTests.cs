using Events.Silo.Contests;
using Events.Web.Content;

namespace Events.Web.Tests.Content;

/// <summary>A judged contest's keys (criteria, weights, final, reveal) and a project's recorded prizes and investors, read from files and checked.</summary>
public sealed class ContestContentTests : IDisposable
{
    private readonly TempContent _content = new TempContent().WriteValidTree();

    public void Dispose() => _content.Dispose();

    private string Path(string relative) => $"{_content.Label}/{relative}";

    private void WriteJudgedContest(string weights = "[60, 40]", string final = "final", string kind = "contest")
    {
        _content.Write("events/contest.md", $$"""
            ---
            title: "Contest"
            kind: {{kind}}
            starts: 2026-09-01T09:00:00+08:00
            ends: 2026-12-12T18:00:00+08:00
            summary: "A contest."
            location: "Online"
            criteria: ["Innovation", "Market potential"]
            criteria_weights: {{weights}}
            audience_weight: 30
            final: {{final}}
            reveal_places: 2
            ---
            """);
        _content.Write("events/contest.zh.md", """
            ---
            title: "大赛"
            criteria: ["创新性", "市场潜力"]
            ---
            """);
        _content.Write("sessions/final.md", """
            ---
            event: contest
            title: "Final"
            starts: 2026-12-12T13:00:00+08:00
            ends: 2026-12-12T18:00:00+08:00
            summary: "The final."
            speakers: []
            projects: [gold-two, silver-one]
            ---
            """);
    }

    [Fact]
    public void A_judged_contest_gives_its_rules_and_a_project_its_recorded_prizes_and_investors()
    {
        WriteJudgedContest();
        _content.Write("projects/gold-two.md", """
            ---
            title: "Zzz Gold"
            team: "G"
            region: "Shanghai"
            school: "School of Medicine"
            event: contest
            award: gold
            track: "Healthcare"
            video: https://video.example/gold.mp4
            prizes: ["Grand Prize", "Audience Choice Award"]
            investors: ["Lakeside Angels"]
            ---
            """);
        _content.Write("projects/gold-two.zh.md", """
            ---
            title: "金二"
            school: "医学院"
            prizes: ["总冠军", "观众选择奖"]
            investors: ["澄湖天使"]
            ---
            """);

        var catalog = ContentCatalog.Load(_content.Root);

        var rules = catalog.Contest("contest")!;
        Assert.Equal([new Criterion("innovation", 60), new Criterion("market-potential", 40)], rules.Criteria);
        Assert.Equal((10, 30, "final", 2), (rules.MaxScore, rules.AudienceWeight, rules.FinalSession, rules.RevealPlaces));
        Assert.Equal(["gold-two", "silver-one"], rules.Projects);
        Assert.Equal("contest", catalog.ContestOfFinal("final"));
        Assert.Null(catalog.Contest("forum-a"));
        Assert.Equal("市场潜力", catalog.FindEvent("contest")!.Judging!.NameOf("market-potential", chinese: true));
        var gold = catalog.FindProject("gold-two")!;
        Assert.Equal(["总冠军", "观众选择奖"], gold.Prizes!.Zh);
        Assert.Equal(["Lakeside Angels"], gold.Investors!.En);
        Assert.Equal("医学院", gold.School!.Zh);
        Assert.Equal("https://video.example/gold.mp4", gold.Video);
    }

    [Fact]
    public void Weights_that_do_not_add_up_a_final_elsewhere_and_criteria_on_a_forum_are_named()
    {
        WriteJudgedContest(weights: "[60, 30]");
        Assert.Contains($"{Path("events/contest.md")}: 'criteria_weights' must be whole numbers above 0 that add up to 100: 60, 30",
            Assert.Throws<ContentException>(() => ContentCatalog.Load(_content.Root)).Problems);

        WriteJudgedContest(final: "forum-talk");
        Assert.Contains($"{Path("events/contest.md")}: final session 'forum-talk' belongs to event 'forum-a'",
            Assert.Throws<ContentException>(() => ContentCatalog.Load(_content.Root)).Problems);

        WriteJudgedContest();
        // The valid tree's project, with a picture that is not there.
        var silver = System.IO.Path.Combine(_content.Root, "projects", "silver-one.md");
        var original = File.ReadAllText(silver);
        File.WriteAllText(silver, original.Replace("award: silver", "award: silver\nimage: missing.png", StringComparison.Ordinal));
        Assert.Contains($"{Path("projects/silver-one.md")}: image 'missing.png' is not in the images/ folder",
            Assert.Throws<ContentException>(() => ContentCatalog.Load(_content.Root)).Problems);
        File.WriteAllText(silver, original);

        WriteJudgedContest(kind: "forum");
        Assert.Contains($"{Path("events/contest.md")}: has criteria, but only a contest (kind: contest) is judged",
            Assert.Throws<ContentException>(() => ContentCatalog.Load(_content.Root)).Problems);
    }
}
