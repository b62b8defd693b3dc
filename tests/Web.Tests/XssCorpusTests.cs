using System.Net;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Events.Web.Tests;

/// <summary>
/// A corpus of script-injection payloads goes through every place people's text is shown (chat,
/// display names, vote questions and options, roster names, verification reasons in the audit
/// log), and Chromium shows each as text: no element, handler or link is made from it, no dialog
/// opens, and the page's policy reports no blocked script (which would mean markup got through and
/// only the policy stopped it).
/// </summary>
public sealed class XssCorpusTests
{
    private const string Session = "contest-final";

    public static readonly string[] Corpus =
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "\"><img src=x onerror=alert(1)>",
        "'><a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<body onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<<script>alert(1)//<</script>",
        "</textarea><script>alert(1)</script>",
        "<img src=\"x\" onerror=\"&#97;lert(1)\">",
        "<details open ontoggle=alert(1)>",
        "{{constructor.constructor('alert(1)')()}}",
        "[x](javascript:alert(1)) **bold** <b>b</b>",
    ];

    /// <summary>Elements or attributes a payload would make if it were parsed as markup (the page's own JSON data islands aside).</summary>
    private const string Injected = "script:not([src]):not([type='application/json']), img[src='x'], svg, iframe, math, details, body [onload], [onerror], [onload], [ontoggle], a[href^='javascript' i], a[href^='data' i], a[href^='vbscript' i], a[href*='script:' i], div[style]";

    private static async Task AssertOnlyTextAsync(IPage page, string scope, IReadOnlyList<string> dialogs, IReadOnlyList<string> violations, string where)
    {
        var made = await page.Locator($"{scope} :is({Injected})").EvaluateAllAsync<string[]>("els => els.map(e => e.outerHTML.slice(0, 120))");
        Assert.True(made.Length == 0, where + " made: " + string.Join(" | ", made));
        Assert.Empty(dialogs);
        Assert.True(violations.Count == 0, where + ": " + string.Join(" | ", violations));
    }

    [Fact]
    public async Task Every_payload_shows_as_text_wherever_peoples_words_are_shown()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var talker = await host.CreateAccountAsync("talker");
        // Display names made of payloads (the name rules take them: they are text, not staff titles).
        var named = new List<Account>();
        foreach (var payload in Corpus.Where(p => p.Length <= DisplayNameRules.MaxLength).Take(6))
        {
            Assert.Null(DisplayNameRules.Check(payload));
            var account = await host.CreateAccountAsync("named");
            await using var scope = host.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            var member = (await users.FindByIdAsync(account.Id))!;
            member.DisplayName = payload;
            await users.UpdateAsync(member);
            named.Add(account with { DisplayName = payload, Token = await host.LoginAsync(account.Email, account.Password) });
        }

        await using (var control = await LiveClient.JoinAsync(host, Session, organizer.Token))
        await using (var chat = await LiveClient.JoinAsync(host, Session, talker.Token))
        {
            for (var i = 0; i < Corpus.Length; i++)
            {
                Assert.True((await chat.InvokeAsync<ChatAck>("SendChat", Session, Corpus[i], "xss-" + i)).Ok);
            }
            foreach (var account in named)
            {
                await using var client = await LiveClient.JoinAsync(host, Session, account.Token);
                Assert.True((await client.InvokeAsync<ChatAck>("SendChat", Session, "hello", "named")).Ok);
            }
            Assert.True((await control.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest(Corpus[1], [Corpus[0], Corpus[5]], true, false, "xss-round"))).Ok);
        }
        // A roster name and an organizer's reason, shown on the member's and the organizer's pages.
        var roster = new HttpRequestMessage(HttpMethod.Put, "/api/roster")
        {
            Content = new StringContent("student_number,name,class_year,school\n6001,\"<img src=x onerror=alert(1)>\",2014,\"<svg onload=alert(1)>\"\n", System.Text.Encoding.UTF8, "text/csv"),
        };
        roster.Headers.Authorization = new("Bearer", organizer.Token);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(roster)).StatusCode);

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true });
        var dialogs = new List<string>();
        var violations = new List<string>();
        context.Page += (_, page) =>
        {
            page.Dialog += (_, d) => { dialogs.Add(d.Message); _ = d.DismissAsync(); };
            page.Console += (_, m) =>
            {
                if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    violations.Add(m.Text);
                }
            };
        };
        var page = await context.NewPageAsync();

        // The watch page as a viewer: every message, every name, the round.
        await page.GotoAsync(new Uri(host.BaseUrl, "/sessions/" + Session).ToString());
        await Expect(page.Locator("#chat li")).ToHaveCountAsync(Corpus.Length + named.Count);
        var texts = await page.Locator("#chat li .text").AllTextContentsAsync();
        Assert.Equal(Corpus, texts.Take(Corpus.Length));
        var authors = await page.Locator("#chat li .author").AllTextContentsAsync();
        Assert.Equal(named.Select(n => n.DisplayName), authors.Skip(Corpus.Length));
        await Expect(page.Locator(".round h2")).ToHaveTextAsync(Corpus[1]);
        await Expect(page.Locator(".round")).ToContainTextAsync(Corpus[0]);
        await Expect(page.Locator(".round")).ToContainTextAsync(Corpus[5]);
        await AssertOnlyTextAsync(page, "main", dialogs, violations, "watch page");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("xss-watch"), FullPage = true });

        // A member whose name is a payload: the header and the account page.
        var signedIn = named[1];
        await page.GotoAsync(new Uri(host.BaseUrl, "/account/login").ToString());
        await page.FillAsync("input[name=Email]", signedIn.Email);
        await page.FillAsync("input[name=Password]", signedIn.Password);
        await page.ClickAsync("main form button[type=submit]");
        await page.WaitForURLAsync(u => !u.Contains("/account/login"));
        await Expect(page.Locator("header .who")).ToHaveTextAsync(signedIn.DisplayName);
        await page.GotoAsync(new Uri(host.BaseUrl, "/account").ToString());
        await AssertOnlyTextAsync(page, "body", dialogs, violations, "account page");
        // Verified by the roster row whose name and school are payloads.
        await page.GotoAsync(new Uri(host.BaseUrl, "/account/verify").ToString());
        await page.FillAsync("form[action*=Match] input[name=StudentNumber]", "6001");
        await page.FillAsync("form[action*=Match] input[name=Name]", "<img src=x onerror=alert(1)>");
        await page.FillAsync("form[action*=Match] input[name=ClassYear]", "2014");
        await page.ClickAsync("form[action*=Match] button[type=submit]");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("<svg onload=alert(1)>");
        await AssertOnlyTextAsync(page, "body", dialogs, violations, "verify page");

        // The organizer's pages: a decision's reason and the names in the audit log.
        var organizerPage = await context.NewPageAsync();
        await organizerPage.GotoAsync(new Uri(host.BaseUrl, "/account/login").ToString());
        await organizerPage.FillAsync("input[name=Email]", organizer.Email);
        await organizerPage.FillAsync("input[name=Password]", organizer.Password);
        await organizerPage.ClickAsync("main form button[type=submit]");
        await organizerPage.WaitForURLAsync(u => !u.Contains("/account/login"));
        await organizerPage.GotoAsync(new Uri(host.BaseUrl, "/organize/roster").ToString());
        await organizerPage.FillAsync("input[name=MemberEmail]", named[2].Email);
        await organizerPage.FillAsync("input[name=Reason]", Corpus[9]);
        await organizerPage.ClickAsync("form[action*=Decide] button[type=submit]");
        await Expect(organizerPage.Locator("p.ok")).ToBeVisibleAsync();
        await organizerPage.GotoAsync(new Uri(host.BaseUrl, "/organize/audit").ToString());
        await Expect(organizerPage.Locator("table.audit")).ToContainTextAsync(Corpus[9]);
        await Expect(organizerPage.Locator("table.audit")).ToContainTextAsync(named[1].DisplayName);
        await AssertOnlyTextAsync(organizerPage, "body", dialogs, violations, "audit page");
    }
}
