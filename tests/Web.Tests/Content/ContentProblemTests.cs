using Events.Web.Content;
using Xunit;

namespace Events.Web.Tests.Content;

public sealed class ContentProblemTests : IDisposable
{
    private readonly TempContent _content = new TempContent().WriteValidTree();

    public void Dispose() => _content.Dispose();

    private ContentException LoadFails() => Assert.Throws<ContentException>(() => ContentCatalog.Load(_content.Root));

    private string Path(string relative) => $"{_content.Label}/{relative}";

    [Fact]
    public void Tags_are_translated_entry_for_entry_or_the_file_is_named()
    {
        _content.Write("sessions/x.md", """
            ---
            event: contest
            title: "X"
            starts: 2026-12-12T13:00:00+08:00
            ends: 2026-12-12T14:00:00+08:00
            summary: "S"
            speakers: []
            tags: [open source, careers]
            ---
            """);
        _content.Write("sessions/x.zh.md", """
            ---
            tags: [开源]
            ---
            """);

        Assert.Equal($"{Path("sessions/x.zh.md")}: 'tags' has 1 entries, the English file 2: translate each, in the same order", Assert.Single(LoadFails().Problems));

        _content.Write("sessions/x.zh.md", """
            ---
            tags: [开源, 职业发展]
            ---
            """);
        var x = ContentCatalog.Load(_content.Root).FindSession("x")!;
        Assert.Equal(["open source", "careers"], x.Tags.En);
        Assert.Equal(["开源", "职业发展"], x.Tags.Zh);
        Assert.True(x.HasTag("CAREERS"));
        Assert.True(x.HasTag("开源"));
        Assert.False(x.HasTag("open"));
        Assert.Empty(ContentCatalog.Load(_content.Root).FindSession("final")!.Tags.En);
    }

    [Fact]
    public void An_unknown_key_names_the_file_and_the_key()
    {
        _content.Write("sessions/x.md", """
            ---
            event: contest
            titel: "Typo"
            title: "X"
            starts: 2026-12-12T13:00:00+08:00
            ends: 2026-12-12T14:00:00+08:00
            summary: "S"
            speakers: []
            ---
            """);

        var e = LoadFails();

        Assert.Equal($"{Path("sessions/x.md")}: unknown key 'titel'", Assert.Single(e.Problems));
        Assert.Equal(e.Problems[0], e.Message);
    }

    [Fact]
    public void A_date_without_an_offset_is_rejected()
    {
        _content.Write("events/forum-a.md", """
            ---
            title: "Forum A"
            kind: forum
            starts: 2026-09-20T14:00:00
            ends: 2026-09-20T17:00:00+08:00
            summary: "A forum."
            location: "Hall 1"
            ---
            """);

        var problem = Assert.Single(LoadFails().Problems);

        Assert.StartsWith($"{Path("events/forum-a.md")}: 'starts' is not a date with an offset", problem);
    }

    [Theory]
    [InlineData("next tuesday")]
    [InlineData("2026-13-01T09:00:00+08:00")]
    [InlineData("2026-09-01 09:00:00 +08:00")]
    public void Other_bad_dates_are_rejected(string date)
    {
        _content.Write("events/forum-a.md", $"""
            ---
            title: "Forum A"
            kind: forum
            starts: {date}
            ends: 2026-09-20T17:00:00+08:00
            summary: "A forum."
            location: "Hall 1"
            ---
            """);

        Assert.Contains("'starts' is not a date with an offset", Assert.Single(LoadFails().Problems));
    }

    [Fact]
    public void A_missing_required_key_is_named()
    {
        _content.Write("speakers/bo-wang.md", """
            ---
            name: "Bo Wang"
            affiliation: "Startup"
            class_of: 2010
            degree: "MBA"
            ---
            """);

        Assert.Equal($"{Path("speakers/bo-wang.md")}: required key 'role' is missing", Assert.Single(LoadFails().Problems));
    }

    [Fact]
    public void A_dangling_reference_is_named()
    {
        _content.Write("projects/silver-one.md", """
            ---
            title: "Silver One"
            team: "S"
            region: "Chengdu"
            event: nope
            award: silver
            track: "Hard tech"
            ---
            """);
        _content.Write("sessions/forum-talk.md", """
            ---
            event: forum-a
            title: "Talk"
            starts: 2026-09-20T14:00:00+08:00
            ends: 2026-09-20T15:00:00+08:00
            summary: "A talk."
            speakers: [ada-li, ghost]
            ---
            """);

        var problems = LoadFails().Problems;

        Assert.Equal(
            [
                $"{Path("sessions/forum-talk.md")}: speaker 'ghost' does not exist",
                $"{Path("projects/silver-one.md")}: event 'nope' does not exist",
            ],
            problems);
    }

    [Fact]
    public void Two_broken_files_give_two_problems_in_one_exception()
    {
        _content.Write("companies/alpha-works.md", """
            ---
            name: "Alpha Works"
            industry: "Hardware"
            city: "Suzhou"
            event: forum-a
            positions: []
            website: "https://alpha.example"
            color: red
            ---
            """);
        _content.Write("events/contest.md", "# Contest\n\nNo front matter here.\n");

        var e = LoadFails();

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains($"{Path("events/contest.md")}: missing front matter", e.Problems[0]);
        Assert.Equal($"{Path("companies/alpha-works.md")}: unknown key 'color'", e.Problems[1]);
        Assert.Equal(e.Problems, e.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void A_broken_event_does_not_also_make_its_sessions_dangle()
    {
        _content.Write("events/contest.md", "no front matter");

        Assert.Single(LoadFails().Problems);
    }

    [Fact]
    public void A_zh_file_may_only_hold_localizable_keys()
    {
        _content.Write("events/forum-a.zh.md", """
            ---
            title: "论坛 A"
            kind: forum
            ---
            """);

        var problem = Assert.Single(LoadFails().Problems);

        Assert.StartsWith($"{Path("events/forum-a.zh.md")}: .zh.md has key 'kind' which is not localizable", problem);
    }

    [Fact]
    public void Ends_before_starts_is_rejected()
    {
        _content.Write("sessions/forum-talk.md", """
            ---
            event: forum-a
            title: "Talk"
            starts: 2026-09-20T15:00:00+08:00
            ends: 2026-09-20T14:00:00+08:00
            summary: "A talk."
            speakers: []
            ---
            """);

        Assert.Equal($"{Path("sessions/forum-talk.md")}: ends before it starts", Assert.Single(LoadFails().Problems));
    }

    [Fact]
    public void Values_are_checked_against_their_type()
    {
        _content.Write("events/contest.md", """
            ---
            title: [not, text]
            kind: party
            starts: 2026-09-01T09:00:00+08:00
            ends: 2026-12-12T18:00:00+08:00
            summary: ""
            location: "Online"
            order: first
            ---
            """);
        _content.Write("companies/alpha-works.md", """
            ---
            name: "Alpha Works"
            industry: "Hardware"
            city: "Suzhou"
            event: forum-a
            positions: "Engineer"
            website: "http://alpha.example"
            ---
            """);
        _content.Write("sessions/forum-talk.md", """
            ---
            event: forum-a
            title: "Talk"
            starts: 2026-09-20T14:00:00+08:00
            ends: 2026-09-20T15:00:00+08:00
            summary: "A talk."
            speakers: []
            stream: "javascript:alert(1)"
            ---
            """);

        var problems = LoadFails().Problems;

        string[] expected =
        [
            $"{Path("events/contest.md")}: 'kind' must be one of forum, jobfair, contest, not 'party'",
            $"{Path("events/contest.md")}: 'title' must be text, not a list",
            $"{Path("events/contest.md")}: required key 'summary' is empty",
            $"{Path("events/contest.md")}: 'order' is not a whole number: 'first'",
            $"{Path("sessions/forum-talk.md")}: 'stream' must be an http or https URL, not 'javascript:alert(1)'",
            $"{Path("companies/alpha-works.md")}: 'positions' must be a list of entries ('- id: ...' lines), not text",
            $"{Path("companies/alpha-works.md")}: 'website' must be an https URL, not 'http://alpha.example'",
        ];
        Assert.Equal(expected, problems);
    }

    [Fact]
    public void A_company_position_is_checked_key_by_key_and_named_in_every_problem()
    {
        _content.Write("companies/alpha-works.md", """
            ---
            name: "Alpha Works"
            industry: "Hardware"
            city: "Suzhou"
            event: forum-a
            positions:
              - id: engineer
                title: "Engineer"
                salary_min: 20000
                salary_max: 9000
                currency: CNY
                deadline: 5 December
                degree: phd
              - title: "No id"
              - id: engineer
                title: "Twice"
              - id: tester
                title: "Tester"
                salary_min: 9000
                pay: "good"
            website: "https://alpha.example"
            ---
            """);
        _content.Write("companies/alpha-works.zh.md", """
            ---
            positions:
              - id: tester
                title: "测试"
                salary_min: 1
              - id: ghost
                title: "幽灵"
            ---
            """);

        var problems = LoadFails().Problems;

        string[] expected =
        [
            $"{Path("companies/alpha-works.md")}: 'positions' entry at line 14 needs an 'id' of lower-case letters, digits and '-': ''",
            $"{Path("companies/alpha-works.md")}: 'positions' has the id 'engineer' twice",
            $"{Path("companies/alpha-works.md")}: 'positions' entry at line 20 has an unknown key 'pay' (allowed: id, title, city, degree, majors, salary_min, salary_max, currency, deadline, requirements)",
            $"{Path("companies/alpha-works.zh.md")}: 'positions' entry at line 5 has an unknown key 'salary_min' (allowed: id, title, city, majors, requirements)",
            $"{Path("companies/alpha-works.zh.md")}: 'positions' has an entry 'ghost' that the English file does not have",
            $"{Path("companies/alpha-works.md")} (positions 'engineer'): 'salary_min' (20000) is above 'salary_max' (9000)",
            $"{Path("companies/alpha-works.md")} (positions 'engineer'): 'degree' must be one of any, bachelor, master, doctorate, not 'phd'",
            $"{Path("companies/alpha-works.md")} (positions 'engineer'): 'deadline' is not a day like 2026-12-05: '5 December'",
            $"{Path("companies/alpha-works.md")} (positions 'tester'): 'salary_min' and 'salary_max' go together: give both or neither",
            $"{Path("companies/alpha-works.md")} (positions 'tester'): a salary needs a 'currency' of three letters (CNY, SGD...): ''",
        ];
        Assert.Equal(expected, problems);
    }

    [Fact]
    public void File_names_must_be_slugs_and_zh_files_need_an_English_sibling()
    {
        _content.Write("speakers/Bad_Name.md", "---\nname: x\n---\n");
        _content.Write("speakers/carol.zh.md", "---\nname: 卡罗尔\n---\n");

        var problems = LoadFails().Problems;

        Assert.Equal(2, problems.Count);
        Assert.StartsWith($"{Path("speakers/Bad_Name.md")}: 'Bad_Name' is not a valid slug", problems[0]);
        Assert.Equal($"{Path("speakers/carol.zh.md")}: has no English file 'carol.md' next to it", problems[1]);
    }

    [Fact]
    public void Invalid_yaml_and_duplicate_keys_are_reported_with_a_line()
    {
        _content.Write("speakers/bo-wang.md", "---\nname: \"Bo\"\nname: \"Wang\"\n---\n");
        _content.Write("speakers/ada-li.zh.md", "---\nname: [unclosed\n---\n");

        var problems = LoadFails().Problems;

        Assert.Equal(2, problems.Count);
        Assert.StartsWith($"{Path("speakers/ada-li.zh.md")}: front matter is not valid YAML", problems[0]);
        Assert.Equal($"{Path("speakers/bo-wang.md")}: key 'name' appears twice (line 3)", problems[1]);
    }

    [Fact]
    public void A_front_matter_without_a_closing_line_is_reported()
    {
        _content.Write("speakers/bo-wang.md", "---\nname: \"Bo\"\n\nBio.\n");

        Assert.Equal($"{Path("speakers/bo-wang.md")}: front matter is not closed by a '---' line", Assert.Single(LoadFails().Problems));
    }

    [Fact]
    public void Invalid_utf8_is_reported()
    {
        File.WriteAllBytes(System.IO.Path.Combine(_content.Root, "speakers", "bo-wang.md"), [0x2D, 0x2D, 0x2D, 0x0A, 0xC3, 0x28, 0x0A]);

        Assert.Equal($"{Path("speakers/bo-wang.md")}: is not valid UTF-8", Assert.Single(LoadFails().Problems));
    }

    [Fact]
    public void A_missing_content_folder_is_an_error()
    {
        var missing = System.IO.Path.Combine(_content.Root, "nope");

        Assert.Throws<ContentException>(() => ContentCatalog.Load(missing));
    }

    [Fact]
    public void A_booth_talk_names_a_company_of_its_own_event()
    {
        string Talk(string eventSlug, string booth) => $"""
            ---
            event: {eventSlug}
            booth: {booth}
            title: "Lab tour"
            starts: 2026-12-12T13:00:00+08:00
            ends: 2026-12-12T14:00:00+08:00
            summary: "S"
            speakers: []
            ---
            """;
        _content.Write("sessions/tour.md", Talk("forum-a", "no-such-company"));
        Assert.Equal($"{Path("sessions/tour.md")}: booth 'no-such-company' is not a company of the content", Assert.Single(LoadFails().Problems));
        _content.Write("sessions/tour.md", Talk("contest", "zeta-labs"));
        Assert.Equal($"{Path("sessions/tour.md")}: booth 'zeta-labs' is at the fair 'forum-a', not at this session's event 'contest'", Assert.Single(LoadFails().Problems));
        _content.Write("sessions/tour.md", Talk("forum-a", "zeta-labs"));
        var catalog = ContentCatalog.Load(_content.Root);
        Assert.Equal("zeta-labs", catalog.FindSession("tour")!.Booth);
        Assert.Equal(["tour"], catalog.TalksAtBooth("zeta-labs").Select(t => t.Slug));
        Assert.Empty(catalog.TalksAtBooth("alpha-works"));
    }
}
