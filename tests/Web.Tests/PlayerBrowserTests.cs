using Events.Silo.Streams;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>
/// The player in real Chromium on a phone-sized screen: a live push from real ffmpeg plays (its time
/// advances, its frames are pictures, not black), and once the push ends the same page plays the
/// replay from a point the viewer seeks to. About 30 s here.
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
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        string key;
        await using (var org = await LiveClient.JoinAsync(host, Session, organizer.Token))
        {
            key = (await org.InvokeAsync<StreamKeyView>("GetStreamKey", Session)).Value!.Key;
        }
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true })).NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, $"/sessions/{Session}").ToString());
        await Expect(page.Locator("#stream-note")).ToContainTextAsync("Waiting for the stream");
        await Expect(page.Locator("#video")).ToBeHiddenAsync();

        var push = Ffmpeg.StartPush(new Uri(host.BaseUrl, $"/ingest/{Session}/{key}/index.m3u8").ToString(), seconds: 14);
        // The page learns of the stream over the hub, loads hls.js and starts the video (muted, as browsers require).
        await Expect(page.Locator("#state")).ToHaveTextAsync("Live", new() { Timeout = 20_000 });
        await Expect(page.Locator("#video")).ToBeVisibleAsync();
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<double>("() => document.getElementById('video').currentTime") > 2, "the live video to play", 20_000);
        var spread = await page.EvaluateAsync<double>(FrameSpread);
        Assert.True(spread > 20, $"the live frame looks blank (spread {spread:F1})");
        await Expect(page.Locator("#stream-note")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("player-live-phone-en") });

        var (exit, errors) = await Ffmpeg.WaitAsync(push, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0, "ffmpeg failed: " + errors);
        await Expect(page.Locator("#state")).ToHaveTextAsync("Ended", new() { Timeout = 15_000 });

        // A Chinese viewer comes later: the page is the replay, and seeking to 0:08 plays from there.
        var zh = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true })).NewPageAsync();
        await zh.GotoAsync(new Uri(host.BaseUrl, $"/sessions/{Session}").ToString());
        await Expect(zh.Locator("#state")).ToHaveTextAsync("已结束");
        await Expect(zh.Locator("#replay-label")).ToContainTextAsync("回放 · 0:14");
        await Eventually.TrueAsync(async () => await zh.EvaluateAsync<double>("() => document.getElementById('video').duration") > 13, "the replay to load", 15_000);
        await zh.EvaluateAsync("() => { const v = document.getElementById('video'); v.muted = true; v.currentTime = 8; return v.play(); }");
        await Eventually.TrueAsync(async () => await zh.EvaluateAsync<double>("() => document.getElementById('video').currentTime") > 9, "the replay to play from 0:08", 15_000);
        Assert.True(await zh.EvaluateAsync<double>(FrameSpread) > 20, "the replay frame looks blank");
        await zh.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("player-replay-phone-zh"), FullPage = true });
    }
}
