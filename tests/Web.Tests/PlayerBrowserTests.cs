using Events.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>
/// The player in real Chromium on a phone-sized screen: a live push from real ffmpeg plays (its time
/// advances, its frames are pictures, not black); chat and a vote happen during it; once the push
/// ends the page is the replay, whose chapters seek the video and whose chat follows it. About 40 s here.
/// </summary>
public sealed class PlayerBrowserTests
{
    private const string Session = "forum-2026-12-open-source";

    /// <summary>How far the picture's pixels spread: a black or one-colour frame is near 0, the test pattern far above.</summary>
    private const string FrameSpread = """
        () => {
          const v = document.getElementById('video');
          const c = document.createElement('canvas');
          c.width = 64; c.height = 36;
          const g = c.getContext('2d');
          g.drawImage(v, 0, 0, 64, 36);
          const d = g.getImageData(0, 0, 64, 36).data;
          let sum = 0, sq = 0, n = 0;
          for (let i = 0; i < d.length; i += 4) { const y = (d[i] + d[i + 1] + d[i + 2]) / 3; sum += y; sq += y * y; n++; }
          return Math.sqrt(sq / n - (sum / n) ** 2);
        }
        """;

    [Fact]
    public async Task A_viewer_on_a_phone_watches_the_live_push_then_seeks_in_its_replay()
    {
        await using var host = await LiveHost.StartAsync();
        var (organizer, key) = await host.OrganizerWithStreamKeyAsync(Session);
        var member = await host.CreateAccountAsync("chatter");
        await using var org = await LiveClient.JoinAsync(host, Session, organizer.Token);
        await using var chatter = await LiveClient.JoinAsync(host, Session, member.Token);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true })).NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, $"/sessions/{Session}").ToString());
        await Expect(page.Locator("#stream-note")).ToContainTextAsync("Waiting for the stream");
        await Expect(page.Locator("#video")).ToBeHiddenAsync();

        var push = Ffmpeg.StartPush(new Uri(host.BaseUrl, $"/ingest/{Session}/{key}/index.m3u8").ToString(), seconds: 16);
        // The page learns of the stream over the hub, loads hls.js and starts the video (muted, as browsers require).
        await Expect(page.Locator("#state")).ToHaveTextAsync("Live", new() { Timeout = 20_000 });
        await Expect(page.Locator("#video")).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<double>("() => document.getElementById('video').currentTime") > 2, "the live video to play", 20_000);
        var spread = await page.EvaluateAsync<double>(FrameSpread);
        Assert.True(spread > 20, $"the live frame looks blank (spread {spread:F1})");
        await Expect(page.Locator("#stream-note")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("player-live-phone-en") });

        // While live: a message early, a vote opened and closed, a message late.
        Assert.True((await chatter.InvokeAsync<Silo.Live.ChatAck>("SendChat", Session, "early question", "c1")).Ok);
        var round = (await org.InvokeAsync<Silo.Live.RoundView>("OpenRound", Session, new { question = "Which demo?", options = new[] { "A", "B" }, showTally = true, clientCommandId = "r1" })).Value!;
        await Task.Delay(2500);
        Assert.True((await org.InvokeAsync<Silo.Live.RoundView>("CloseRound", round.RoundId)).Ok);
        await Task.Delay(2500);
        Assert.True((await chatter.InvokeAsync<Silo.Live.ChatAck>("SendChat", Session, "late remark", "c2")).Ok);

        var (exit, errors) = await Ffmpeg.WaitAsync(push, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0, "ffmpeg failed: " + errors);
        await Expect(page.Locator("#state")).ToHaveTextAsync("Ended", new() { Timeout = 15_000 });

        // A Chinese viewer comes later: the page is the replay, and seeking to 0:08 plays from there.
        var zh = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true })).NewPageAsync();
        await zh.GotoAsync(new Uri(host.BaseUrl, $"/sessions/{Session}").ToString());
        await Expect(zh.Locator("#state")).ToHaveTextAsync("已结束");
        await Expect(zh.Locator("#replay-label")).ToContainTextAsync("回放 · 0:16");
        await Eventually.TrueAsync(async () => await zh.EvaluateAsync<double>("() => document.getElementById('video').duration") > 13, "the replay to load", 15_000);
        await Expect(zh.Locator(".chat h2")).ToContainTextAsync("聊天回放");
        // Chapters: the start, then the vote's opening and its result, in order.
        var chapters = zh.Locator("#chapters button");
        await Expect(chapters).ToHaveCountAsync(3);
        await Expect(chapters.Nth(1)).ToContainTextAsync("投票开始：Which demo?");
        await Expect(chapters.Nth(2)).ToContainTextAsync("投票结果：Which demo?");
        var resultAt = double.Parse((await chapters.Nth(2).GetAttributeAsync("data-seek"))!, System.Globalization.CultureInfo.InvariantCulture);
        var openedAt = double.Parse((await chapters.Nth(1).GetAttributeAsync("data-seek"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resultAt - openedAt, 1.5, 5);
        // Before any message's moment the chat is empty; at the result the early message is there, the late one not yet.
        await zh.EvaluateAsync("() => { const v = document.getElementById('video'); v.muted = true; v.currentTime = 0; }");
        await Expect(zh.Locator("#chat li[data-id]")).ToHaveCountAsync(0);
        await chapters.Nth(2).ClickAsync();
        await Eventually.TrueAsync(async () => await zh.EvaluateAsync<double>("() => document.getElementById('video').currentTime") >= resultAt, "the replay to play from the vote's result", 15_000);
        await Expect(zh.Locator("#chat li[data-id] .text")).ToHaveTextAsync(["early question"]);
        Assert.True(await zh.EvaluateAsync<double>(FrameSpread) > 20, "the replay frame looks blank");
        // Playing on past the late message's moment shows it too.
        await Expect(zh.Locator("#chat li[data-id] .text")).ToHaveTextAsync(["early question", "late remark"], new() { Timeout = 15_000 });
        await zh.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("player-replay-phone-zh"), FullPage = true });

        // The library, from the header: the replay's card with its picture, and a search that finds it.
        await zh.ClickAsync("header nav a[href='/replays']");
        await Expect(zh.Locator("h1")).ToHaveTextAsync("精彩回放");
        var card = zh.Locator(".replay-card").Filter(new() { Has = zh.Locator($"a.title[href='/sessions/{Session}']") });
        await Expect(card).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Eventually.TrueAsync(async () => await card.Locator("img").EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") == 480, "the replay's picture to load", 15_000);
        await Expect(card.Locator(".length")).ToHaveTextAsync("0:16");
        await zh.FillAsync("#q", "开源");
        await zh.ClickAsync("form.library-filters button[type=submit]");
        await Expect(zh.Locator(".replay-card a.title")).ToHaveCountAsync(1);
        await zh.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("library-phone-zh"), FullPage = true });
        await card.Locator("a.title").ClickAsync();
        await zh.WaitForURLAsync($"**/sessions/{Session}");
    }

    [Fact]
    public async Task A_session_ended_without_a_stream_tells_its_viewers_at_once_that_there_is_no_replay()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Events.Web.Accounts.Roles.Organizer);
        await using var org = await LiveClient.JoinAsync(host, Session, organizer.Token);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true })).NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, $"/sessions/{Session}").ToString());
        await Expect(page.Locator("#stream-note")).ToContainTextAsync("Waiting for the stream");
        await Expect(page.Locator("#count-current")).ToHaveTextAsync("2");
        Assert.True((await org.InvokeAsync<bool>("SetSessionStatus", Session, "ended")).Ok);
        await Expect(page.Locator("#state")).ToHaveTextAsync("Ended");
        await Expect(page.Locator("#stream-note")).ToContainTextAsync("This session has ended. It has no replay.");
    }
}
