using System.Net;
using System.Text.RegularExpressions;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Accounts.Companies;
using Events.Web.Content;
using Events.Web.Fair;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>
/// Walking the job fair of the demo content (150 booths, about two thousand positions): halls,
/// search in both languages, filters, closed positions, bad filters, and a student's walk in
/// Chromium at phone size. The test clock makes it 1 December 2026 in the fair's time zone.
/// </summary>
public sealed partial class FairTests
{
    private const string Fair = "jobfair-2026-autumn";
    private static readonly DateOnly Today = new(2026, 12, 1);

    [GeneratedRegex("class=\"title\" href=\"[^\"]+\">([^<]+)</a>")]
    private static partial Regex ResultTitle();

    private static FairDirectory Directory(LiveHost host) =>
        FairDirectory.For(host.Services.GetRequiredService<ContentStore>().Current, Fair)!;

    [Fact]
    public async Task The_fair_has_its_real_size_and_its_filters_find_exactly_the_open_positions_that_fit()
    {
        await using var host = await LiveHost.StartAsync();
        var directory = Directory(host);
        Assert.Equal(150, directory.Booths.Count);
        Assert.InRange(directory.PositionCount, 2000, 4000);
        Assert.True(directory.Halls.Count >= 12, $"{directory.Halls.Count} halls");
        var all = directory.Booths.SelectMany(c => c.Positions.Select(p => (Company: c, Position: p))).ToArray();

        // A master's graduate looking in Shanghai: every open position there asking for a master's or less, and nothing else.
        var found = directory.SearchPositions(new FairQuery(City: "shanghai", Degree: Degree.Master), Today);
        var expected = all.Where(x => x.Position.City.En == "Shanghai" && x.Position.Degree <= Degree.Master && (x.Position.Deadline is null || x.Position.Deadline >= Today)).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(x => x.Position).ToHashSet(), found.Select(m => m.Position).ToHashSet());
        Assert.DoesNotContain(found, m => m.Position.Degree == Degree.Doctorate);

        // Chinese words find the same positions on any page: 工程师 is "Engineer" in every title here.
        var engineers = directory.SearchPositions(new FairQuery(Text: "工程师"), Today);
        Assert.NotEmpty(engineers);
        Assert.All(engineers, m => Assert.Contains("Engineer", m.Position.Title.En));
        Assert.Equal(engineers.Count, directory.SearchPositions(new FairQuery(Text: "engineer"), Today).Count(m => m.Position.Title.Zh.Contains("工程师")));

        // A hall holds that industry's booths only; a booth matching by name shows all its open positions.
        var banks = directory.SearchBooths(new FairQuery(Hall: "banking"), Today);
        Assert.NotEmpty(banks);
        Assert.All(banks, b => Assert.Equal("Banking", b.Company.Industry.En));
        var helix = Assert.Single(directory.SearchBooths(new FairQuery(Text: "螺湾"), Today));
        Assert.Equal(["cell-culture-scientist", "bioinformatics-analyst", "clinical-research-associate"], helix.Positions.Select(p => p.Id));
    }

    [Fact]
    public async Task A_position_past_its_deadline_is_not_offered_and_its_booth_shows_it_closed()
    {
        await using var host = await LiveHost.StartAsync();
        var directory = Directory(host);
        var (company, closed) = directory.Booths.SelectMany(c => c.Positions.Select(p => (c, p))).First(x => x.p.Deadline < Today);
        Assert.DoesNotContain(directory.SearchPositions(new FairQuery(), Today), m => m.Position == closed);

        var booth = await host.Http.GetStringAsync($"/fair/{Fair}/booths/{company.Slug}");
        var closedSection = booth[booth.IndexOf("id=\"closed-positions\"", StringComparison.Ordinal)..];
        Assert.Contains($"id=\"position-{closed.Id}\"", closedSection);
        Assert.Contains("Applications closed", booth);
        var open = company.Positions.Count(p => p.Deadline is null || p.Deadline >= Today);
        Assert.Contains($"{open} open positions", booth);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/fair/{Fair}/booths/no-such-company")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/fair/contest-2026")).StatusCode);
    }

    [Fact]
    public async Task Search_results_come_a_page_at_a_time_and_a_filter_the_fair_lacks_is_named_in_the_persons_language()
    {
        await using var host = await LiveHost.StartAsync();
        var directory = Directory(host);

        var first = await host.Http.GetStringAsync($"/fair/{Fair}");
        Assert.Contains("150 booths", first);
        Assert.Contains("Page 1 of 7", first);
        var names = ResultTitle().Matches(first).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        Assert.Equal(directory.Booths.Take(24).Select(c => c.Name.En), names);
        var last = await host.Http.GetStringAsync($"/fair/{Fair}?page=7");
        Assert.Equal(150 - 6 * 24, ResultTitle().Matches(last).Count);
        Assert.DoesNotContain("rel=\"next\"", last);

        var chinese = host.Browser("zh-CN");
        var bad = await chinese.GetAsync($"/fair/{Fair}?hall=nope&degree=phd&q=工程师");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var page = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("本届招聘会没有这个展区，已显示全部展区。", page);
        Assert.Contains("“phd”不是学历（bachelor、master 或 doctorate），已显示不限学历。", page);
        // The rest of the search still works: the words stay and find booths.
        var booths = directory.SearchBooths(new FairQuery(Text: "工程师"), Today).Count;
        Assert.Contains($"展位（{booths}）", page);
    }

    [Fact]
    public async Task A_student_on_a_phone_walks_from_the_fair_page_to_a_position_in_a_booth()
    {
        await using var host = await LiveHost.StartAsync();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true })).NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, $"/events/{Fair}").ToString());
        await page.Locator("#walk-fair").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("展位与岗位");

        await page.Locator("#q").FillAsync("工程师");
        await page.Locator(".filters summary").ClickAsync();
        await page.Locator("#city").SelectOptionAsync("beijing");
        await page.Locator("#degree").SelectOptionAsync("bachelor");
        await page.Locator(".filter-fields button").ClickAsync();
        await page.Locator("#tab-positions").ClickAsync();
        await Expect(page.Locator("#tab-positions")).ToHaveAttributeAsync("aria-current", "page");
        var expected = Directory(host).SearchPositions(new FairQuery(Text: "工程师", City: "beijing", Degree: Degree.Bachelor), Today);
        Assert.NotEmpty(expected);
        await Expect(page.Locator("#tab-positions")).ToHaveTextAsync($"岗位（{expected.Count}）");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("fair-search-phone-zh") });
        // The page fits the phone: nothing wider than the screen but the scrolling row of halls.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the fair page scrolls sideways on a phone");

        var first = expected[0];
        await page.Locator("#positions .title").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/fair/{Fair}/booths/{first.Company.Slug}#position-{first.Position.Id}$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(first.Company.Name.Zh);
        await Expect(page.Locator($"#position-{first.Position.Id} h3")).ToHaveTextAsync(first.Position.Title.Zh);
        await Expect(page.Locator($"#position-{first.Position.Id}")).ToBeInViewportAsync();
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("fair-booth-phone-zh") });
    }


    [Fact]
    public async Task A_booth_is_a_live_session_whose_representatives_moderate_its_chat_and_no_other()
    {
        await using var host = await LiveHost.StartAsync();
        var student = await host.CreateAccountAsync("student");
        var rep = await host.CreateAccountAsync("rep", Roles.CompanyRep);
        await host.MakeCompanyRepAsync(rep, "helixbay-bio");
        var booth = BoothSessions.Of("helixbay-bio");
        var other = BoothSessions.Of("abacrest-fintech");
        await using var s = await LiveClient.JoinAsync(host, booth, student.Token);
        await using var r = await LiveClient.JoinAsync(host, booth, rep.Token);
        await using var visitor = await LiveClient.JoinAsync(host, booth);
        await using var elsewhere = await LiveClient.JoinAsync(host, other, student.Token);
        await Eventually.TrueAsync(() => visitor.Counts.Current == 3, "three visitors at the booth");
        Assert.Equal(1, elsewhere.Counts.Current);

        var question = (await s.InvokeAsync<ChatAck>("SendChat", booth, "Do you sponsor a visa?", "q1")).Value!;
        var answer = (await r.InvokeAsync<ChatAck>("SendChat", booth, "Yes, for every graduate role.", "a1")).Value!;
        await Eventually.TrueAsync(() => visitor.Chat.Count == 2, "the booth chat");
        Assert.Equal([null, "rep"], visitor.Chat.Select(c => c.Badge));

        // The representative moderates their booth: deletes a message, mutes a student.
        Assert.True((await r.InvokeAsync<bool>("DeleteMessage", booth, question.MessageId)).Ok);
        await Eventually.TrueAsync(() => visitor.Deleted.Contains(question.MessageId), "the deletion reaches the visitors");
        Assert.True((await r.InvokeAsync<bool>("MuteUser", booth, student.Id, 10)).Ok);
        Assert.Equal("muted", (await s.InvokeAsync<ChatAck>("SendChat", booth, "again", "q2")).Error?.Code);
        // In another company's booth, and in the talks, the representative is a member like any other.
        var there = (await elsewhere.InvokeAsync<ChatAck>("SendChat", other, "Hello", "e1")).Value!;
        await using var rElsewhere = await LiveClient.JoinAsync(host, other, rep.Token);
        Assert.Equal("forbidden", (await rElsewhere.InvokeAsync<bool>("DeleteMessage", other, there.MessageId)).Error?.Code);
        Assert.Equal("forbidden", (await rElsewhere.InvokeAsync<bool>("MuteUser", other, student.Id, 10)).Error?.Code);
        await using var rTalk = await LiveClient.JoinAsync(host, "jobfair-resume-clinic", rep.Token);
        Assert.Equal("forbidden", (await rTalk.InvokeAsync<bool>("SetSlowMode", "jobfair-resume-clinic", 5)).Error?.Code);

        // No booth for a company that does not exist, nor for a fair's session slug.
        await using var nobody = await LiveClient.JoinAsync(host, "jobfair-opening");
        Assert.Equal("unknown_session", (await nobody.InvokeAsync<SessionSnapshot>("JoinSession", "booth-no-such-company")).Error?.Code);
    }

    [Fact]
    public async Task A_booths_chat_closes_when_its_fair_is_over()
    {
        // The fair ends on 5 December at 18:00 in Beijing; this host's clock starts after it.
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Clock:StartAt"] = "2026-12-06T02:00:00Z" });
        var student = await host.CreateAccountAsync("student");
        var booth = BoothSessions.Of("helixbay-bio");
        await using var s = await LiveClient.JoinAsync(host, booth, student.Token);
        Assert.Equal("session_ended", (await s.InvokeAsync<ChatAck>("SendChat", booth, "Anyone here?", "late")).Error?.Code);
        var page = await host.Browser().GetStringAsync($"/fair/{Fair}/booths/helixbay-bio");
        Assert.Contains("The fair is over: the booth chat is closed.", page);
        Assert.DoesNotContain("id=\"chat-form\"", page);
    }

    [Fact]
    public async Task At_a_booth_in_Chromium_a_student_asks_and_the_representative_sees_it_live_and_can_remove_it()
    {
        await using var host = await LiveHost.StartAsync();
        var student = await host.CreateAccountAsync("student");
        var rep = await host.CreateAccountAsync("rep", Roles.CompanyRep);
        await host.MakeCompanyRepAsync(rep, "helixbay-bio");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        async Task<IPage> SignedInAsync(Account who, string locale)
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
            var page = await context.NewPageAsync();
            // Signing in from the booth's "sign in to chat" link returns to the booth.
            await page.GotoAsync(new Uri(host.BaseUrl, $"/fair/{Fair}/booths/helixbay-bio").ToString());
            await page.Locator("#signin-to-chat").ClickAsync();
            await page.FillAsync("input[name=Email]", who.Email);
            await page.FillAsync("input[name=Password]", who.Password);
            await page.ClickAsync("form button[type=submit]");
            await page.WaitForURLAsync($"**/fair/{Fair}/booths/helixbay-bio");
            return page;
        }
        var studentPage = await SignedInAsync(student, "en-GB");
        var repPage = await SignedInAsync(rep, "zh-CN");
        await Expect(studentPage.Locator("#count-current")).ToHaveTextAsync("2");
        await Expect(repPage.Locator("#count-current")).ToHaveTextAsync("2");

        await studentPage.Locator("#chat-text").FillAsync("Is the lab in Suzhou or Shanghai?");
        await studentPage.Locator("#chat-form button[type=submit]").ClickAsync();
        var onRep = repPage.Locator("#chat li", new() { HasText = "Is the lab in Suzhou or Shanghai?" });
        await Expect(onRep).ToBeVisibleAsync();
        await Expect(studentPage.Locator("#chat-text")).ToHaveValueAsync("");
        await repPage.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("fair-booth-chat-rep-zh"), FullPage = true });
        // The student has no moderation buttons; the representative deletes the message for everyone.
        await Expect(studentPage.Locator("#chat .tools")).ToHaveCountAsync(0);
        await onRep.Locator("button", new() { HasText = "删除" }).ClickAsync();
        await Expect(studentPage.Locator("#chat li", new() { HasText = "Is the lab in Suzhou or Shanghai?" })).ToHaveCountAsync(0);

        // Leaving the booth lowers its count for those who stay.
        await studentPage.GotoAsync(new Uri(host.BaseUrl, $"/fair/{Fair}").ToString());
        await Expect(repPage.Locator("#count-current")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task A_booths_page_lists_the_talks_held_at_it_and_the_talk_links_back_to_the_booth_in_both_languages()
    {
        await using var host = await LiveHost.StartAsync();
        var booth = System.Net.WebUtility.HtmlDecode(await host.Browser().GetStringAsync($"/fair/{Fair}/booths/helixbay-bio"));
        Assert.Contains("Talks at this booth", booth);
        Assert.Contains("<a href=\"/sessions/jobfair-helixbay-lab-tour\">Booth talk: A Day in a Cell Therapy Lab</a>", booth);
        // Upcoming on the test clock (1 December), so not marked live.
        Assert.DoesNotContain("Live now", booth);
        Assert.DoesNotContain("Talks at this booth", await host.Browser().GetStringAsync($"/fair/{Fair}/booths/mingde-motors"));
        var talk = System.Net.WebUtility.HtmlDecode(await host.Browser("zh-CN").GetStringAsync("/sessions/jobfair-helixbay-lab-tour"));
        Assert.Contains("<a href=\"/fair/jobfair-2026-autumn/booths/helixbay-bio\">螺湾生物医药</a> 展位的直播讲座", talk);
        Assert.Contains("展位讲座：细胞治疗实验室的一天", talk);
    }
}
