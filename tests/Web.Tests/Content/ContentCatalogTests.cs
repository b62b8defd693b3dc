using Events.Web.Content;
using Xunit;

namespace Events.Web.Tests.Content;

public sealed class ContentCatalogTests : IDisposable
{
    private readonly TempContent _content = new TempContent().WriteValidTree();

    public void Dispose() => _content.Dispose();

    [Fact]
    public void A_valid_tree_loads_in_both_languages()
    {
        var catalog = ContentCatalog.Load(_content.Root);

        var forum = catalog.FindEvent("forum-a")!;
        Assert.Equal(EventKind.Forum, forum.Kind);
        Assert.Equal("Forum A", forum.Title.En);
        Assert.Equal("论坛 A", forum.Title.Zh);
        Assert.Equal("一号厅", forum.Location.Get(chinese: true));
        Assert.Equal(new DateTimeOffset(2026, 9, 20, 14, 0, 0, TimeSpan.FromHours(8)), forum.Starts);
        Assert.Equal(TimeSpan.FromHours(8), forum.Starts.Offset);
        Assert.Contains("<strong>forum</strong>", forum.BodyHtml.En);
        Assert.Contains("<strong>正文</strong>", forum.BodyHtml.Zh);

        var ada = catalog.FindSpeaker("ada-li")!;
        Assert.Equal("李艾达", ada.Name.Zh);
        Assert.Equal(2005, ada.ClassOf);
        Assert.Contains("艾达的简介", ada.BioHtml.Zh);

        var zeta = catalog.FindCompany("zeta-labs")!;
        Assert.Equal(["Engineer", "Designer"], zeta.Positions.Select(p => p.Title.En));
        Assert.Equal(["工程师", "设计师"], zeta.Positions.Select(p => p.Title.Get(chinese: true)));
        var engineer = zeta.Positions[0];
        Assert.Equal(("engineer", Degree.Master, 12000, 20000, "CNY", new DateOnly(2026, 12, 5)), (engineer.Id, engineer.Degree, engineer.SalaryMin, engineer.SalaryMax, engineer.Currency, engineer.Deadline));
        Assert.Equal(["计算机科学", "数学"], engineer.Majors.Zh);
        Assert.Equal(("Hefei", "Go or Rust."), (engineer.City.En, engineer.Requirements.Zh));
        // A position without its own city is in the company's; without a degree or deadline it asks for none.
        var designer = zeta.Positions[1];
        Assert.Equal(("Shanghai", "上海", Degree.Any, null, null), (designer.City.En, designer.City.Zh, designer.Degree, designer.Deadline, designer.SalaryMin));
        Assert.Equal("Software", zeta.Industry.Zh);
        Assert.Equal("https://zeta.example", zeta.Website);

        var final = catalog.FindSession("final")!;
        Assert.Equal("contest", final.EventSlug);
        Assert.Equal(["ada-li", "bo-wang"], final.Speakers);
        Assert.Equal("https://video.example/final", final.Stream);
        Assert.Null(catalog.FindSession("forum-talk")!.Stream);
    }

    [Fact]
    public void Chinese_falls_back_to_English_when_the_zh_file_or_a_key_is_missing()
    {
        var catalog = ContentCatalog.Load(_content.Root);

        // No .zh.md at all.
        var bo = catalog.FindSpeaker("bo-wang")!;
        Assert.Equal("Bo Wang", bo.Name.Zh);
        Assert.Equal(bo.BioHtml.En, bo.BioHtml.Zh);
        var contest = catalog.FindEvent("contest")!;
        Assert.Equal("Contest", contest.Title.Get(chinese: true));
        Assert.Contains("Contest body.", contest.BodyHtml.Zh);
        Assert.Empty(catalog.FindCompany("alpha-works")!.Positions);

        // A .zh.md that translates only the title and has no body.
        var final = catalog.FindSession("final")!;
        Assert.Equal("总决赛", final.Title.Zh);
        Assert.Equal("The final.", final.Summary.Zh);
        Assert.Contains("Final body.", final.BodyHtml.Zh);
    }

    [Fact]
    public void Lists_are_ordered_as_documented()
    {
        var catalog = ContentCatalog.Load(_content.Root);

        Assert.Equal(["contest", "forum-a"], catalog.Events.Select(e => e.Slug));
        Assert.Equal(["alpha-works", "zeta-labs"], catalog.CompaniesOf("forum-a").Select(c => c.Slug));
        Assert.Equal(["gold-two", "silver-one"], catalog.ProjectsOf("contest").Select(p => p.Slug));
        Assert.Equal(["final"], catalog.SessionsOf("contest").Select(s => s.Slug));
        Assert.Equal(["forum-talk", "final"], catalog.SessionsOfSpeaker("ada-li").Select(s => s.Slug));
        Assert.Equal(["final"], catalog.SessionsOfSpeaker("bo-wang").Select(s => s.Slug));
    }

    [Fact]
    public void Unknown_slugs_find_nothing()
    {
        var catalog = ContentCatalog.Load(_content.Root);

        Assert.True(catalog.Exists("final"));
        Assert.False(catalog.Exists("nope"));
        Assert.False(catalog.Exists("FINAL"));
        Assert.Null(catalog.FindEvent("nope"));
        Assert.Null(catalog.FindProject("nope"));
        Assert.Empty(catalog.SessionsOf("nope"));
        Assert.Empty(catalog.CompaniesOf("contest"));
        Assert.Empty(catalog.ProjectsOf("forum-a"));
        Assert.Empty(catalog.SessionsOfSpeaker("nope"));
    }

    [Fact]
    public void Missing_and_unknown_folders_are_fine()
    {
        using var content = new TempContent();
        content.Write("events/solo.md", """
            ---
            title: "Solo"
            kind: jobfair
            starts: 2026-10-01T09:00:00Z
            ends: 2026-10-01T17:00:00Z
            summary: "S"
            location: "L"
            ---
            """);
        content.Write("drafts/whatever.md", "not even front matter");
        content.Write("events/notes.txt", "ignored");

        var catalog = ContentCatalog.Load(content.Root);

        Assert.Equal(EventKind.JobFair, Assert.Single(catalog.Events).Kind);
        Assert.Empty(catalog.Sessions);
    }

    [Fact]
    public void Events_starting_together_are_ordered_by_order_then_slug()
    {
        using var content = new TempContent();
        foreach (var (slug, order) in new[] { ("b", "1"), ("a", "1"), ("c", "0") })
        {
            content.Write($"events/{slug}.md", $"""
                ---
                title: "{slug}"
                kind: forum
                starts: 2026-10-01T09:00:00+08:00
                ends: 2026-10-01T17:00:00+08:00
                summary: "S"
                location: "L"
                order: {order}
                ---
                """);
        }

        Assert.Equal(["c", "a", "b"], ContentCatalog.Load(content.Root).Events.Select(e => e.Slug));
    }
}
