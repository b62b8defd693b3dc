using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>The watch page in real Chromium, on a phone-sized screen, against a real host.</summary>
public sealed class WatchPageBrowserTests
{
    private const string Session = "contest-final";

    [Fact]
    public async Task A_member_watches_sees_the_audience_grow_chats_and_votes()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("browser");
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        var page = await context.NewPageAsync();

        // Sign in through the real form, which returns to the watch page.
        await page.GotoAsync(new Uri(host.BaseUrl, $"/account/login?returnUrl=/sessions/{Session}").ToString());
        await page.FillAsync("input[name=Email]", member.Email);
        await page.FillAsync("input[name=Password]", member.Password);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForURLAsync($"**/sessions/{Session}");
        await Expect(page.Locator("h1")).ToContainTextAsync("Grand Final");
        await Expect(page.Locator("#count-current")).ToHaveTextAsync("1");

        // A second viewer joins from elsewhere: the count moves without a reload.
        await using var other = await LiveClient.JoinAsync(host, Session, organizer.Token);
        await Expect(page.Locator("#count-current")).ToHaveTextAsync("2");
        await Expect(page.Locator("#count-views")).ToHaveTextAsync("2");

        // Chat: type and press Enter; the message comes back through the hub to the list.
        await page.FillAsync("#chat-text", "Hello from Chromium 你好");
        await page.PressAsync("#chat-text", "Enter");
        await Expect(page.Locator("#chat li .text").Last).ToHaveTextAsync("Hello from Chromium 你好");
        await Expect(page.Locator("#chat-text")).ToHaveValueAsync("");
        await Eventually.TrueAsync(() => other.Chat.Any(m => m.Text == "Hello from Chromium 你好"), "the other viewer receives the message");

        // The organizer opens a vote; the page shows it; the member votes and sees the tally.
        var opened = await other.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Audience choice?", ["Solar Kite", "MedLink", "EduBridge"], true, false, "browser-round"));
        var round = page.Locator($".round[data-round='{opened.Value!.RoundId}']");
        await Expect(round.Locator("h2")).ToHaveTextAsync("Audience choice?");
        await round.Locator("button.option", new LocatorLocatorOptions { HasText = "MedLink" }).ClickAsync();
        await Expect(round.Locator("li", new LocatorLocatorOptions { HasText = "MedLink" }).Locator(".votes")).ToHaveTextAsync("1 (100%)");
        await Expect(round.Locator(".total")).ToContainTextAsync("1 vote ·");
        await Expect(round.Locator("button.option")).ToHaveCountAsync(0);
        await Eventually.TrueAsync(() => other.Round(opened.Value.RoundId)?.TotalVotes == 1, "the organizer sees the vote");

        // A refusal is shown in words and the page keeps working.
        await page.FillAsync("#chat-text", new string('x', 10));
        await other.InvokeAsync<bool>("BanUser", Session, member.Id, true);
        await page.PressAsync("#chat-text", "Enter");
        await Expect(page.Locator("#notice")).ToContainTextAsync("banned");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("watch-phone-en"), FullPage = true });
    }

    [Fact]
    public async Task Pages_speak_Chinese_to_a_Chinese_browser_and_switch_on_request()
    {
        await using var host = await LiveHost.StartAsync();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN" })).NewPageAsync();
        await page.GotoAsync(host.BaseUrl.ToString());
        await Expect(page.Locator("h1")).ToHaveTextAsync("校友活动");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await page.ClickAsync("text=全球校友创新创业大赛");
        await Expect(page.Locator("#projects")).ToContainTextAsync("决赛项目");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("contest-zh"), FullPage = true });

        await page.ClickAsync("a[hreflang=en]");
        await Expect(page.Locator("#projects")).ToContainTextAsync("Finalist projects");
        await page.GotoAsync(host.BaseUrl.ToString());
        await Expect(page.Locator("h1")).ToHaveTextAsync("Alumni events");
    }

    [Fact]
    public async Task An_organizer_runs_a_vote_and_moderates_from_the_page()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("guest");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1280, Height = 900 } })).NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, $"/account/login?returnUrl=/sessions/{Session}").ToString());
        await page.FillAsync("input[name=Email]", "admin@test.example");
        await page.FillAsync("input[name=Password]", "admin-pass-1");
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForURLAsync($"**/sessions/{Session}");

        // Go live: every viewer's badge changes.
        await using var viewer = await LiveClient.JoinAsync(host, Session, member.Token);
        await page.ClickAsync("button[data-status=live]");
        await Expect(page.Locator("#state")).ToHaveTextAsync("直播中");
        await Eventually.TrueAsync(() => viewer.Settings.Status == "live", "the viewer sees the session live");

        // Open a vote with the form; a member votes elsewhere; the organizer closes it from the page.
        await page.FillAsync("#round-form input[name=question]", "最佳项目？");
        await page.FillAsync("#round-form textarea[name=options]", "明眸\n潮芯\n碳迹");
        await page.ClickAsync("#round-form button[type=submit]");
        var round = page.Locator(".round.open");
        await Expect(round.Locator("h2")).ToHaveTextAsync("最佳项目？");
        var roundId = (await round.GetAttributeAsync("data-round"))!;
        await Eventually.TrueAsync(() => viewer.Round(roundId) is not null, "the viewer sees the round");
        Assert.Equal("accepted", (await viewer.InvokeAsync<VoteAck>("CastVote", roundId, "b", "v1")).Value?.Status);
        await Expect(round.Locator(".total")).ToContainTextAsync("共 1 票");
        await round.Locator("button", new LocatorLocatorOptions { HasText = "结束投票" }).ClickAsync();
        await Expect(page.Locator($".round.closed[data-round='{roundId}']")).ToBeVisibleAsync();
        await Eventually.TrueAsync(() => viewer.Round(roundId)?.Status == "closed", "the viewer sees the vote closed");

        // Moderate a member's message with its buttons: pin, then delete.
        var said = (await viewer.InvokeAsync<ChatAck>("SendChat", Session, "请大家关注决赛", "c1")).Value!;
        var line = page.Locator($"#chat li[data-id='{said.MessageId}']");
        await line.Locator("button", new LocatorLocatorOptions { HasText = "置顶" }).ClickAsync();
        await Expect(page.Locator("#pinned")).ToContainTextAsync("请大家关注决赛");
        await Eventually.TrueAsync(() => viewer.Settings.Pinned?.Id == said.MessageId, "the viewer sees the pin");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("organizer-zh"), FullPage = true });
        await line.Locator("button", new LocatorLocatorOptions { HasText = "删除" }).ClickAsync();
        await Expect(line).ToHaveCountAsync(0);
        await Eventually.TrueAsync(() => viewer.Deleted.Contains(said.MessageId), "the viewer sees the deletion");
    }

    [Fact]
    public async Task The_pages_run_under_their_content_policy_and_no_other_site_can_frame_them()
    {
        await using var host = await LiveHost.StartAsync();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) => { lock (console) { console.Add(m.Text); } };

        // The watch page's script (chat, counts, the organizer's controls) runs under the policy.
        await SignInAsync(page, host, "admin@test.example", "admin-pass-1", Session);
        await Expect(page.Locator("#count-current")).ToHaveTextAsync("1");
        await page.FillAsync("#chat-text", "策略之下");
        await page.PressAsync("#chat-text", "Enter");
        await Expect(page.Locator("#chat li")).ToContainTextAsync("策略之下");
        foreach (var path in new[] { "/", "/replays", "/admin/users", "/account" })
        {
            await page.GotoAsync(new Uri(host.BaseUrl, path).ToString());
        }
        lock (console)
        {
            Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.Ordinal));
        }

        // Another site frames the administration page beside a frame of its own: Chromium shows its
        // own frame and refuses ours (the page it shows instead is Chromium's error page).
        await page.GotoAsync("about:blank");
        await page.SetContentAsync($"<iframe name=\"own\" srcdoc=\"<p>own frame</p>\"></iframe><iframe name=\"ours\" src=\"{new Uri(host.BaseUrl, "/admin/users")}\"></iframe>");
        await Expect(page.FrameLocator("iframe[name=own]").Locator("p")).ToHaveTextAsync("own frame");
        await Eventually.TrueAsync(() => page.Frames.Any(f => f.Name == "ours" && f.Url.StartsWith("chrome-error:", StringComparison.Ordinal)),
            () => "our frame to be refused; frames: " + string.Join(", ", page.Frames.Select(f => f.Name + "=" + f.Url)), 10_000);
        Assert.Equal(0, await page.FrameLocator("iframe[name=ours]").Locator("table.users").CountAsync());
    }

    private static async Task SignInAsync(IPage page, LiveHost host, string email, string password, string session)
    {
        await page.GotoAsync(new Uri(host.BaseUrl, $"/account/login?returnUrl=/sessions/{session}").ToString());
        await page.FillAsync("input[name=Email]", email);
        await page.FillAsync("input[name=Password]", password);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForURLAsync($"**/sessions/{session}");
    }

    [Fact]
    public async Task The_page_shows_each_person_their_own_vote_refuses_a_long_paste_in_words_and_opens_one_round_per_form()
    {
        await using var host = await LiveHost.StartAsync();
        var first = await host.CreateAccountAsync("first");
        var second = await host.CreateAccountAsync("second");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        var page = await context.NewPageAsync();

        // The organizer double-clicks "Open vote": one round.
        await SignInAsync(page, host, "admin@test.example", "admin-pass-1", Session);
        await page.FillAsync("#round-form input[name=question]", "Audience choice?");
        await page.FillAsync("#round-form textarea[name=options]", "Solar Kite\nMedLink");
        await page.DblClickAsync("#round-form button[type=submit]");
        await Expect(page.Locator(".round.open")).ToHaveCountAsync(1);
        await page.WaitForTimeoutAsync(500);
        await Expect(page.Locator(".round")).ToHaveCountAsync(1);
        var roundId = (await page.Locator(".round.open").GetAttributeAsync("data-round"))!;
        await context.ClearCookiesAsync();

        // The first member votes on this browser.
        await SignInAsync(page, host, first.Email, first.Password, Session);
        var round = page.Locator($".round[data-round='{roundId}']");
        await round.Locator("button.option", new LocatorLocatorOptions { HasText = "MedLink" }).ClickAsync();
        await Expect(round.Locator(".total")).ToContainTextAsync("your vote is counted");

        // A second member signs in on the same browser: offered the buttons, not shown the first one's vote.
        await context.ClearCookiesAsync();
        await SignInAsync(page, host, second.Email, second.Password, Session);
        await Expect(round.Locator("button.option")).ToHaveCountAsync(2);
        await Expect(round.Locator(".total")).Not.ToContainTextAsync("your vote is counted");

        // The first member on a new device sees their own vote, server-rendered and live.
        var elsewhere = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" })).NewPageAsync();
        await SignInAsync(elsewhere, host, first.Email, first.Password, Session);
        var theirs = elsewhere.Locator($".round[data-round='{roundId}']");
        await Expect(theirs.Locator("li", new LocatorLocatorOptions { HasText = "MedLink" })).ToContainTextAsync("✓");
        await Expect(theirs.Locator("button.option")).ToHaveCountAsync(0);

        // A pasted text over the limit is kept and refused in words; nothing is sent.
        var tooLong = string.Concat(Enumerable.Repeat("0123456789", 60));
        await page.FillAsync("#chat-text", tooLong);
        await Expect(page.Locator("#chat-length")).ToHaveTextAsync("600/500");
        await page.PressAsync("#chat-text", "Enter");
        await Expect(page.Locator("#notice")).ToContainTextAsync("600 characters; the most is 500");
        await Expect(page.Locator("#chat-text")).ToHaveValueAsync(tooLong);
        await page.WaitForTimeoutAsync(300);
        await Expect(page.Locator("#chat li")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("watch-toolong-en"), FullPage = true });
    }

    [Fact]
    public async Task A_moderator_sees_who_is_muted_or_banned_and_lifts_it_from_the_page()
    {
        await using var host = await LiveHost.StartAsync();
        var moderator = await host.CreateAccountAsync("mod", Roles.Moderator);
        var member = await host.CreateAccountAsync("chatty");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true })).NewPageAsync();
        await SignInAsync(page, host, moderator.Email, moderator.Password, Session);
        await Expect(page.Locator("#sanctions")).ToContainTextAsync("目前没有");

        await using var chatty = await LiveClient.JoinAsync(host, Session, member.Token);
        var said = (await chatty.InvokeAsync<ChatAck>("SendChat", Session, "刷屏刷屏", "c-1")).Value!;
        var line = page.Locator($"#chat li[data-id='{said.MessageId}']");
        await line.Locator("button", new LocatorLocatorOptions { HasText = "禁言" }).ClickAsync();
        var entry = page.Locator($"#sanctions li[data-user='{member.Id}'][data-kind='mute']");
        await Expect(entry).ToContainTextAsync(member.DisplayName);
        await Expect(entry).ToContainTextAsync("禁言至");
        Assert.Equal("muted", (await chatty.InvokeAsync<ChatAck>("SendChat", Session, "还能说话吗", "c-2")).Error?.Code);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("moderator-sanctions-zh"), FullPage = true });

        await entry.Locator("button", new LocatorLocatorOptions { HasText = "解除" }).ClickAsync();
        await Expect(entry).ToHaveCountAsync(0);
        await Expect(page.Locator("#sanctions")).ToContainTextAsync("目前没有");
        Assert.True((await chatty.InvokeAsync<ChatAck>("SendChat", Session, "谢谢", "c-3")).Ok);
    }
}
