using System.Net;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>
/// The mobile voting page: reached through the QR code of the watch page, at phone size, in
/// Chinese; served from the output cache to anonymous visitors, per language, and never to a
/// signed-in person; the QR code carries the configured public address, never the request's host.
/// </summary>
public sealed class VotePageTests
{
    private const string Final = "contest-final";

    [Fact]
    public async Task A_phone_scans_the_watch_pages_code_signs_in_and_casts_a_three_project_ballot_that_the_overlay_counts()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var org = await LiveClient.JoinAsync(host, Final, organizer.Token);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Final, new OpenRoundRequest("观众选择奖", null, true, false, "open-1", MaxChoices: 3, WindowSeconds: 3600, FromRunningOrder: true))).Value!;
        var member = await host.CreateAccountAsync("phonevoter");

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var desk = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN" })).NewPageAsync();
        await desk.GotoAsync(new Uri(host.BaseUrl, $"/sessions/{Final}").ToString());
        await Expect(desk.Locator(".phone-vote h2")).ToHaveTextAsync("用手机投票");
        var scanned = await QrReader.ReadAsync(desk, "#vote-qr");
        Assert.Equal(new Uri(host.BaseUrl, $"/vote/{Final}").ToString(), scanned);

        var phone = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true })).NewPageAsync();
        await phone.GotoAsync(scanned);
        // A visitor sees the round and the sign-in button, and no boxes to tick.
        await Expect(phone.Locator("#rounds .round h2")).ToHaveTextAsync("观众选择奖");
        await Expect(phone.Locator("#vote-signin")).ToBeVisibleAsync();
        Assert.Equal(0, await phone.Locator("#rounds input[type=checkbox]").CountAsync());
        await phone.ClickAsync("#vote-signin a");
        await phone.FillAsync("input[name=Email]", member.Email);
        await phone.FillAsync("input[name=Password]", member.Password);
        await phone.ClickAsync("form button[type=submit]");
        await phone.WaitForURLAsync($"**/vote/{Final}");
        await Expect(phone.Locator("#vote-who")).ToHaveTextAsync($"当前投票身份：{member.DisplayName}");

        var boxes = phone.Locator("#rounds input[type=checkbox]");
        await Expect(boxes).ToHaveCountAsync(20);
        foreach (var i in new[] { 0, 4, 9 })
        {
            await boxes.Nth(i).CheckAsync();
        }
        // A fourth cannot be ticked: three votes each.
        await Expect(boxes.Nth(1)).ToBeDisabledAsync();
        await Expect(phone.Locator("#rounds .cast")).ToHaveTextAsync("提交选票（已选 3/3）");
        await phone.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("vote-page-zh-390") });
        await phone.ClickAsync("#rounds .cast");
        await Expect(phone.Locator("#rounds .round .total")).ToContainTextAsync("你的投票已计入");

        await Eventually.TrueAsync(() => org.Round(round.RoundId)?.TotalVotes == 1, "the organizer to see one ballot");
        var counted = org.Round(round.RoundId)!.Options.Where(o => o.Votes == 1).Select(o => o.Id).ToArray();
        Assert.Equal(new[] { round.Options[0].Id, round.Options[4].Id, round.Options[9].Id }.Order(), counted.Order());

        // Reloaded, the page shows the ballot from the server: ticks gone, the three chosen marked.
        await phone.ReloadAsync();
        await Expect(phone.Locator("#rounds .round .total")).ToContainTextAsync("你的投票已计入");
        Assert.Equal(0, await boxes.CountAsync());
        await Expect(phone.Locator("#rounds li .label", new PageLocatorOptions { HasTextString = "✓" })).ToHaveCountAsync(3);

        // The stream overlay shows the open round with its count and the same code.
        var overlay = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } })).NewPageAsync();
        await overlay.GotoAsync(new Uri(host.BaseUrl, $"/overlay/{Final}").ToString());
        await Expect(overlay.Locator("#overlay-round h2")).ToHaveTextAsync("观众选择奖");
        await Expect(overlay.Locator("#overlay-round .total")).ToHaveTextAsync("共 1 票");
        Assert.Equal(scanned, await QrReader.ReadAsync(overlay, ".overlay-qr img"));
    }

    [Fact]
    public async Task Anonymous_visitors_get_the_cached_page_in_their_language_and_signed_in_members_their_own()
    {
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Mail:PublicUrl"] = "https://events.example.edu" });
        var en = host.Browser("en");
        var first = await en.GetAsync($"/vote/{Final}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("public, max-age=60", first.Headers.CacheControl?.ToString());
        Assert.False(first.Headers.Contains("Set-Cookie"), "a page that sets a cookie is kept by no cache");
        Assert.Contains("Projects in running order", await first.Content.ReadAsStringAsync());
        var second = await en.GetAsync($"/vote/{Final}");
        Assert.True(second.Headers.Age is not null, "the second visit is answered from the output cache");

        var zh = await host.Browser("zh-CN").GetStringAsync($"/vote/{Final}");
        Assert.Contains("项目（按出场顺序）", zh);
        Assert.DoesNotContain("Projects in running order", zh);

        var member = await host.CreateAccountAsync("signedin");
        var signedIn = await host.SignInWithFormAsync(member.Email, member.Password);
        var own = await signedIn.GetAsync($"/vote/{Final}");
        Assert.True(own.Headers.CacheControl is { NoStore: true, Public: false }, $"a signed-in page is never stored: {own.Headers.CacheControl}");
        Assert.Null(own.Headers.Age);
        Assert.Contains(member.DisplayName, await own.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await en.GetAsync("/vote/no-such-session")).StatusCode);
        var noQr = await en.GetAsync("/vote/no-such-session/qr.svg");
        Assert.Equal(HttpStatusCode.NotFound, noQr.StatusCode);
        Assert.Equal("application/problem+json", noQr.Content.Headers.ContentType?.MediaType);

        // The code carries the public address, whatever Host the request named.
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, $"/overlay/{Final}").ToString());
        Assert.Equal($"https://events.example.edu/vote/{Final}", await QrReader.ReadAsync(page, ".overlay-qr img"));
        await Expect(page.Locator(".overlay-qr span")).ToHaveTextAsync($"events.example.edu/vote/{Final}");
    }
}
