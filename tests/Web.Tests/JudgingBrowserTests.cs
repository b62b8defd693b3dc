using Events.Web.Accounts;
using Events.Web.Content;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>A judge's score sheet in Chromium at phone size, in Chinese: a bad score is refused in words and saves nothing; good scores save and add up.</summary>
public sealed class JudgingBrowserTests
{
    [Fact]
    public async Task A_judge_on_a_phone_scores_in_chinese_is_told_what_was_wrong_and_sees_the_weighted_total()
    {
        await using var host = await LiveHost.StartAsync();
        var rules = host.Services.GetRequiredService<ContentStore>().Current.Contest(ContestDesk.Contest)!;
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var judge = await host.CreateAccountAsync("judge");
        var desk = new ContestDesk(await host.SignInWithFormAsync(organizer.Email, organizer.Password), ContestDesk.Contest);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await desk.AddJudgeAsync(judge.Email)).Status);

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true })).NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseUrl, "/account/login?returnUrl=/events/contest-2026").ToString());
        await page.FillAsync("input[name=Email]", judge.Email);
        await page.FillAsync("input[name=Password]", judge.Password);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForURLAsync("**/events/contest-2026");
        // The event page leads the judge to their sheet.
        await page.ClickAsync("a[href='/contests/contest-2026/judge']");
        await Expect(page.Locator("h1")).ToHaveTextAsync("评分表");
        await Expect(page.Locator("#sheet-progress")).ToContainTextAsync("已评 0/20 个项目");

        var first = page.Locator($"li[data-project='{rules.Projects[0]}']");
        var boxes = first.Locator("input[type=number]");
        await Expect(boxes).ToHaveCountAsync(4);
        // 12 is over the top score: the browser's own check is bypassed, as an old phone might, and the server refuses.
        await boxes.Nth(0).EvaluateAsync("b => { b.removeAttribute('max'); }");
        foreach (var (i, v) in new[] { (0, "12"), (1, "8"), (2, "6"), (3, "9") })
        {
            await boxes.Nth(i).FillAsync(v);
        }
        await page.ClickAsync(".save-bar button");
        await Expect(page.Locator("[role=alert]")).ToContainTextAsync("本次未保存任何分数");
        // The whole sheet comes back as typed, not only the boxes before the bad one.
        await Expect(boxes.Nth(0)).ToHaveValueAsync("12");
        await Expect(boxes.Nth(3)).ToHaveValueAsync("9");
        await Expect(page.Locator("#sheet-progress")).ToContainTextAsync("已评 0/20 个项目");

        await boxes.Nth(0).FillAsync("10");
        await page.ClickAsync(".save-bar button");
        await Expect(page.Locator("[role=status]")).ToContainTextAsync("已保存。已评 1/20 个项目。");
        // 30% × 10 + 25% × 8 + 25% × 6 + 20% × 9 = 30 + 20 + 15 + 18 = 83.
        await Expect(first.Locator(".total")).ToHaveTextAsync("你的加权得分：83.0/100");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("judge-sheet-zh-390") });
    }
}
