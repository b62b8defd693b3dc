using System.Net;
using System.Net.Http.Json;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Events.Web.Tests;

/// <summary>
/// Single sign-on as a graduate meets it, in Chromium against a real OpenID Connect provider
/// (npm oidc-provider) on loopback: the university's sign-in, accounts linked by verified email,
/// verified alumni at once when the university says so, and the refusals.
/// </summary>
public sealed class SsoTests
{
    private static async Task SignInThroughUniversityAsync(IPage page, Uri platform, string login, string button)
    {
        await page.GotoAsync(new Uri(platform, "/account/login?returnUrl=%2Faccount").ToString());
        await page.ClickAsync($"main form button:has-text(\"{button}\")");
        // The provider's own page.
        await page.WaitForSelectorAsync("input[name=login]");
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "any-password");
        await page.ClickAsync("button[type=submit]");
    }

    [Fact]
    public async Task A_graduate_signs_in_with_the_university_and_is_a_verified_alumnus_at_once_with_their_roster_row()
    {
        var port = OidcProvider.ChoosePort();
        await using var host = await LiveHost.StartAsync(OidcProvider.Settings(port));
        await using var provider = await OidcProvider.StartAsync(port, host.BaseUrl);
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var roster = new HttpRequestMessage(HttpMethod.Put, "/api/roster") { Content = new StringContent("student_number,name,class_year,school\n8001,Li Wei,2012,Physics\n", System.Text.Encoding.UTF8, "text/csv") };
        roster.Headers.Authorization = new("Bearer", organizer.Token);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(roster)).StatusCode);
        // Someone registered the graduate's address earlier without owning it (never confirmed).
        Assert.True((await host.Http.PostAsJsonAsync("/api/account/register", new { email = "li.wei@alumni.chenghu.example", password = "squat-pass-1" })).IsSuccessStatusCode);
        // A member who already has an account with the address the university gives.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            Assert.True((await users.CreateAsync(new Member { UserName = "existing@test.example", Email = "existing@test.example", EmailConfirmed = true, DisplayName = "Existing" }, "existing-pass-1")).Succeeded);
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        try
        {
            // In Chinese, at phone size.
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true });
            var page = await context.NewPageAsync();
            await SignInThroughUniversityAsync(page, host.BaseUrl, "alum", "使用澄湖大学统一身份认证登录");
            await page.WaitForURLAsync(new Uri(host.BaseUrl, "/account").ToString());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("sso-signed-in-zh"), FullPage = true });
            var account = await page.InnerTextAsync("main");
            Assert.Contains("li.wei@alumni.chenghu.example", account);
            Assert.Contains("Li Wei", await page.InnerTextAsync("header"));
            Assert.Contains("认证校友", account);
            await page.GotoAsync(new Uri(host.BaseUrl, "/account/verify").ToString());
            Assert.Contains("8001", await page.InnerTextAsync("main"));
            // The squatter's password no longer opens the account.
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.PostAsJsonAsync("/api/account/login", new { email = "li.wei@alumni.chenghu.example", password = "squat-pass-1" })).StatusCode);

            // An existing account links by its (verified) address and keeps its password; the university does not say "alumnus".
            var linked = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" })).NewPageAsync();
            await SignInThroughUniversityAsync(linked, host.BaseUrl, "linked", "Sign in with Chenghu University ID");
            await linked.WaitForURLAsync(new Uri(host.BaseUrl, "/account").ToString());
            Assert.Contains("existing@test.example", await linked.InnerTextAsync("main"));
            Assert.DoesNotContain("Verified alumni", await linked.InnerTextAsync("main"));
            Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsJsonAsync("/api/account/login", new { email = "existing@test.example", password = "existing-pass-1" })).StatusCode);

            // An address the university has not verified links to nothing and makes no account.
            var unconfirmed = await (await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" })).NewPageAsync();
            await SignInThroughUniversityAsync(unconfirmed, host.BaseUrl, "unconfirmed", "Sign in with Chenghu University ID");
            await unconfirmed.WaitForSelectorAsync("main p.error");
            Assert.Contains("did not confirm your email address", await unconfirmed.InnerTextAsync("main"));
            await using (var scope = host.Services.CreateAsyncScope())
            {
                Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<Member>>().FindByEmailAsync("someone-else@test.example"));
            }
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }

        // The verification is in the audit log, by the university's word.
        var audit = new HttpRequestMessage(HttpMethod.Get, "/api/audit?action=verify.sso");
        audit.Headers.Authorization = new("Bearer", organizer.Token);
        var entries = System.Text.Json.JsonDocument.Parse(await (await host.Http.SendAsync(audit)).Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("student number 8001", Assert.Single(entries.EnumerateArray()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Without_settings_there_is_no_university_button_and_misspelt_settings_stop_the_start()
    {
        await using var host = await LiveHost.StartAsync();
        Assert.DoesNotContain("Sign in with", await host.Http.GetStringAsync("/account/login"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/account/sso/done")).StatusCode);
        var misspelt = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => LiveHost.StartAsync(new Dictionary<string, string?> { ["Sso:Authorty"] = "https://id.example" }));
        Assert.Contains("Authorty", misspelt.Message);
        var plain = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => LiveHost.StartAsync(new Dictionary<string, string?> { ["Sso:Authority"] = "http://id.example", ["Sso:ClientId"] = "x" }));
        Assert.Contains("Sso:RequireHttpsMetadata", plain.Message);
    }
}
