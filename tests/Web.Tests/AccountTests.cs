using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>
/// Accounts as a person meets them, over real HTTP with real cookies: registration confirmed by a
/// mailed link (read from the mail folder, or from a real SMTP server), password reset, sign-out
/// (everywhere too), and role changes that reach cookies, tokens and open hub connections.
/// </summary>
public sealed class AccountTests
{
    private const string Session = "contest-final";

    private static HttpClient Browser(LiveHost host, string language = "en") => host.Browser(language);

    /// <summary>Opens the page, then posts its form back with the antiforgery token it carried, as a browser does.</summary>
    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string page, Dictionary<string, string> fields, string? postTo = null)
    {
        var token = LiveHost.AntiforgeryToken(await browser.GetStringAsync(page));
        Assert.NotEmpty(token);
        fields["__RequestVerificationToken"] = token;
        return await browser.PostAsync(postTo ?? page, new FormUrlEncodedContent(fields));
    }

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient browser, string email, string name, string password) =>
        SubmitAsync(browser, "/account/register", new() { ["Email"] = email, ["DisplayName"] = name, ["Password"] = password });

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string email, string password) =>
        SubmitAsync(browser, "/account/login", new() { ["Email"] = email, ["Password"] = password });

    private static async Task<bool> SignedInAsync(HttpClient browser) => (await browser.GetAsync("/account")).StatusCode == HttpStatusCode.OK;

    private sealed record Tokens(string AccessToken, string RefreshToken);

    private static async Task<Tokens> LoginAsync(LiveHost host, string email, string password)
    {
        var response = await host.Http.PostAsJsonAsync("/api/account/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Tokens>())!;
    }

    private static HttpRequestMessage WithBearer(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Registering_mails_a_link_in_the_persons_language_and_sign_in_waits_for_it()
    {
        await using var host = await LiveHost.StartAsync();
        using var browser = Browser(host, "zh-CN");
        const string email = "xiaoming@test.example";

        var registered = await RegisterAsync(browser, email, "小明", "test-pass-1");
        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        var check = await browser.GetStringAsync(registered.Headers.Location!.OriginalString);
        Assert.Contains("请查收邮件", check);
        Assert.Contains(email, check);

        var mail = await Mailbox.WaitForAsync(host.MailFolder, email);
        Assert.Equal("确认你在校友在线的邮箱", mail.Subject);
        Assert.Equal("zh-CN", mail.Body!.Headers[MimeKit.HeaderId.ContentLanguage]);
        Assert.Contains("小明", mail.TextBody);
        var link = Mailbox.Link(mail, "/account/confirm");
        Assert.Equal(host.BaseUrl.Authority, link.Authority);

        // Before the link is opened: the form says what to do, the API says NotAllowed.
        var early = await SignInAsync(browser, email, "test-pass-1");
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        var earlyHtml = await early.Content.ReadAsStringAsync();
        Assert.Contains("请先确认邮箱", earlyHtml);
        Assert.Contains("/account/resend?email=", earlyHtml);
        var api = await host.Http.PostAsJsonAsync("/api/account/login", new { email, password = "test-pass-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("NotAllowed", await api.Content.ReadAsStringAsync());

        // A tampered link is refused in the person's language; the real one confirms.
        var tampered = await browser.GetAsync(link.PathAndQuery.Replace("code=", "code=x"));
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        Assert.Contains("此确认链接已失效", await tampered.Content.ReadAsStringAsync());
        var confirmed = await browser.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("邮箱已确认", await confirmed.Content.ReadAsStringAsync());

        var signedIn = await SignInAsync(browser, email, "test-pass-1");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.True(await SignedInAsync(browser));

        // The header's sign-out button (it answered 400 before: its form carried no antiforgery token).
        var home = await browser.GetStringAsync("/");
        Assert.Contains("小明", home);
        var signOut = await browser.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(home),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.False(await SignedInAsync(browser));
    }

    [Fact]
    public async Task Registering_an_address_that_has_an_account_tells_only_its_owner_and_changes_nothing()
    {
        await using var host = await LiveHost.StartAsync();
        var owner = await host.CreateAccountAsync("owner");
        using var stranger = Browser(host);

        var fresh = await RegisterAsync(stranger, "fresh@test.example", "Fresh", "test-pass-1");
        var again = await RegisterAsync(stranger, owner.Email.ToUpperInvariant(), "Impostor", "other-pass-2");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal("/account/check-email", again.Headers.Location!.OriginalString.Split('?')[0]);
        string Shape(HttpResponseMessage r, string email) => Uri.UnescapeDataString(r.Headers.Location!.OriginalString).Replace(email, "(address)");
        Assert.Equal(Shape(fresh, "fresh@test.example"), Shape(again, owner.Email.ToUpperInvariant()));

        var told = await Mailbox.WaitForAsync(host.MailFolder, owner.Email);
        Assert.Equal("You already have an Alumni Live account", told.Subject);
        Mailbox.Link(told, "/account/forgot");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            Assert.Equal(1, await users.Users.CountAsync(u => u.NormalizedEmail == owner.Email.ToUpperInvariant()));
        }
        await LoginAsync(host, owner.Email, owner.Password);
        var impostor = await host.Http.PostAsJsonAsync("/api/account/login", new { email = owner.Email, password = "other-pass-2" });
        Assert.Equal(HttpStatusCode.Unauthorized, impostor.StatusCode);
    }

    [Fact]
    public async Task A_forgotten_password_is_reset_by_its_mailed_link_once_and_every_other_sign_in_ends()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("forgetful");
        using var elsewhere = Browser(host);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(elsewhere, member.Email, member.Password)).StatusCode);
        await using var open = await LiveClient.JoinAsync(host, Session, member.Token);
        Assert.True((await open.InvokeAsync<Silo.Live.ChatAck>("SendChat", Session, "before", "c1")).Ok);

        using var browser = Browser(host);
        var unknown = await SubmitAsync(browser, "/account/forgot", new() { ["Email"] = "nobody@test.example" });
        var known = await SubmitAsync(browser, "/account/forgot", new() { ["Email"] = member.Email });
        Assert.Contains("If nobody@test.example has an account, a message is on its way", await unknown.Content.ReadAsStringAsync());
        Assert.Contains($"If {member.Email} has an account, a message is on its way", await known.Content.ReadAsStringAsync());
        Assert.Empty(Mailbox.To(host.MailFolder, "nobody@test.example"));

        var mail = await Mailbox.WaitForAsync(host.MailFolder, member.Email);
        Assert.Equal("Choose a new Alumni Live password", mail.Subject);
        var link = Mailbox.Link(mail, "/account/reset");
        var reset = await SubmitAsync(browser, link.PathAndQuery, new() { ["Password"] = "new-pass-22", ["Email"] = member.Email, ["Code"] = System.Web.HttpUtility.ParseQueryString(link.Query)["code"]! }, "/account/reset");
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Contains("Your password is changed", await reset.Content.ReadAsStringAsync());

        var old = await host.Http.PostAsJsonAsync("/api/account/login", new { email = member.Email, password = member.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        await LoginAsync(host, member.Email, "new-pass-22");

        // Every sign-in from before the reset has ended: the other browser, the token, the open connection.
        Assert.False(await SignedInAsync(elsewhere));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.SendAsync(WithBearer(HttpMethod.Get, "/api/account/manage/info", member.Token))).StatusCode);
        Assert.Equal("unauthenticated", (await open.InvokeAsync<Silo.Live.ChatAck>("SendChat", Session, "after", "c2")).Error?.Code);

        // The link works once.
        var reused = await SubmitAsync(browser, link.PathAndQuery, new() { ["Password"] = "third-pass-33", ["Email"] = member.Email, ["Code"] = System.Web.HttpUtility.ParseQueryString(link.Query)["code"]! }, "/account/reset");
        Assert.Contains("This link is not valid any more", await reused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_every_cookie_token_and_open_connection_of_the_account()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("traveller");
        using var phone = Browser(host);
        using var laptop = Browser(host);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(phone, member.Email, member.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(laptop, member.Email, member.Password)).StatusCode);
        await using var open = await LiveClient.JoinAsync(host, Session, member.Token);

        var page = await phone.GetStringAsync("/account");
        Assert.Contains(member.Email, page);
        var everywhere = await SubmitAsync(phone, "/account", new(), "/account?handler=Everywhere");
        Assert.Equal(HttpStatusCode.Redirect, everywhere.StatusCode);
        Assert.Contains("signed out on every device", await phone.GetStringAsync(everywhere.Headers.Location!.OriginalString));

        Assert.False(await SignedInAsync(phone));
        Assert.False(await SignedInAsync(laptop));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.SendAsync(WithBearer(HttpMethod.Get, "/api/account/manage/info", member.Token))).StatusCode);
        Assert.Equal("unauthenticated", (await open.InvokeAsync<Silo.Live.ChatAck>("SendChat", Session, "still me?", "c1")).Error?.Code);

        // Signing in again works as before.
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(laptop, member.Email, member.Password)).StatusCode);
        Assert.True(await SignedInAsync(laptop));
    }

    [Fact]
    public async Task A_role_change_reaches_a_signed_in_person_within_seconds_without_signing_in_again()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("helper");
        var tokens = await LoginAsync(host, member.Email, member.Password);
        var admin = (await LoginAsync(host, "admin@test.example", "admin-pass-1")).AccessToken;
        await using var open = await LiveClient.JoinAsync(host, Session, tokens.AccessToken);
        Assert.Equal("forbidden", (await open.InvokeAsync<bool>("SetSlowMode", Session, 5)).Error?.Code);

        var granted = await host.Http.SendAsync(WithBearer(HttpMethod.Put, $"/api/admin/users/{member.Id}/roles/Moderator", admin));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        using (var body = JsonDocument.Parse(await granted.Content.ReadAsStringAsync()))
        {
            Assert.Equal(["Moderator"], body.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        }
        // The open connection moderates at once; the refresh the API documents carries the role (it answered 401 before).
        Assert.True((await open.InvokeAsync<bool>("SetSlowMode", Session, 5)).Ok);
        var refreshed = await host.Http.PostAsJsonAsync("/api/account/refresh", new { refreshToken = tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var fresh = (await refreshed.Content.ReadFromJsonAsync<Tokens>())!;
        await using (var again = await LiveClient.JoinAsync(host, Session, fresh.AccessToken))
        {
            Assert.True(again.Snapshot.You.CanModerate);
        }

        // Removed the way another node removes it (its own write to the shared accounts database,
        // nothing said to this node): this node's poll picks it up within seconds.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            Assert.True((await users.RemoveFromRoleAsync((await users.FindByIdAsync(member.Id))!, Roles.Moderator)).Succeeded);
            var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
            await db.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO access_changes (user_id, changed_at) VALUES ({member.Id}, {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()})");
        }
        Assert.True((await open.InvokeAsync<bool>("SetSlowMode", Session, 0)).Ok, "not yet polled: the role still holds for a moment");
        await Eventually.TrueAsync(async () => (await open.InvokeAsync<bool>("SetSlowMode", Session, 0)).Error?.Code == "forbidden",
            "the removal to reach the open connection", (int)(MemberAccess.PollEvery.TotalMilliseconds * 3));
        await using var later = await LiveClient.JoinAsync(host, Session, fresh.AccessToken);
        Assert.False(later.Snapshot.You.CanModerate);
    }

    [Fact]
    public async Task The_last_administrator_stays_and_removing_ones_own_role_asks_first()
    {
        await using var host = await LiveHost.StartAsync();
        var admin = (await LoginAsync(host, "admin@test.example", "admin-pass-1")).AccessToken;
        string adminId;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            adminId = (await scope.ServiceProvider.GetRequiredService<UserManager<Member>>().FindByEmailAsync("admin@test.example"))!.Id;
        }
        var last = await host.Http.SendAsync(WithBearer(HttpMethod.Delete, $"/api/admin/users/{adminId}/roles/Administrator?confirmSelf=true", admin));
        Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
        Assert.Contains("last_administrator", await last.Content.ReadAsStringAsync());

        var second = await host.CreateAccountAsync("deputy");
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(WithBearer(HttpMethod.Put, $"/api/admin/users/{second.Id}/roles/Administrator", admin))).StatusCode);
        var unknownRole = await host.Http.SendAsync(WithBearer(HttpMethod.Put, $"/api/admin/users/{second.Id}/roles/King", admin));
        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
        Assert.Equal("application/problem+json", unknownRole.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.SendAsync(WithBearer(HttpMethod.Put, "/api/admin/users/nobody/roles/Moderator", admin))).StatusCode);

        // On the page: removing one's own role shows a confirmation first; confirmed, access ends at once.
        using var browser = Browser(host);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, "admin@test.example", "admin-pass-1")).StatusCode);
        var asked = await SubmitAsync(browser, "/admin/users", new() { ["userId"] = adminId, ["role"] = "Administrator", ["grant"] = "false" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var askedHtml = await asked.Content.ReadAsStringAsync();
        Assert.Contains("Remove your own Administrator role?", askedHtml);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin/users")).StatusCode);
        var confirmed = await browser.PostAsync("/admin/users", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userId"] = adminId, ["role"] = "Administrator", ["grant"] = "false", ["confirmSelf"] = "true",
            ["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(askedHtml),
        }));
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        var after = await browser.GetAsync("/admin/users");
        Assert.StartsWith("/account/denied", after.Headers.Location?.OriginalString ?? "(none)");
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(WithBearer(HttpMethod.Get, "/api/admin/users", admin))).StatusCode);
    }

    [Fact]
    public async Task The_role_api_takes_administrators_bearer_tokens_only()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("curious");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.GetAsync("/api/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(WithBearer(HttpMethod.Get, "/api/admin/users", member.Token))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(WithBearer(HttpMethod.Put, $"/api/admin/users/{member.Id}/roles/Administrator", member.Token))).StatusCode);
        // An administrator's browser cookie is not enough: another site could make the browser send it.
        using var browser = Browser(host);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, "admin@test.example", "admin-pass-1")).StatusCode);
        var withCookie = await browser.PutAsync($"/api/admin/users/{member.Id}/roles/Administrator", null);
        Assert.Equal(HttpStatusCode.Unauthorized, withCookie.StatusCode);

        var admin = (await LoginAsync(host, "admin@test.example", "admin-pass-1")).AccessToken;
        using var list = JsonDocument.Parse(await (await host.Http.SendAsync(WithBearer(HttpMethod.Get, "/api/admin/users?query=curious", admin))).Content.ReadAsStringAsync());
        var only = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal(member.Id, only.GetProperty("id").GetString());
        Assert.Empty(only.GetProperty("roles").EnumerateArray());
    }

    [Fact]
    public async Task A_stranger_guessing_slows_an_account_down_but_never_locks_its_owner_out()
    {
        await using var host = await LiveHost.StartAsync();
        var owner = await host.CreateAccountAsync("target");
        async Task<HttpResponseMessage> Try(string email, string password) => await host.Http.PostAsJsonAsync("/api/account/login", new { email, password });

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Try(owner.Email, "wrong-pass-" + i)).StatusCode);
        }
        // The sixth failure makes the next attempt wait, even with the right password, and says for how long.
        var waiting = await Try(owner.Email, owner.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, waiting.StatusCode);
        Assert.Contains("too_many_attempts", await waiting.Content.ReadAsStringAsync());
        var seconds = int.Parse(Assert.Single(waiting.Headers.GetValues("Retry-After")));
        Assert.InRange(seconds, 1, 2);
        using var browser = Browser(host, "zh-CN");
        var page = await SignInAsync(browser, owner.Email, owner.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Contains("失败次数过多", await page.Content.ReadAsStringAsync());

        // Once the wait is over the owner signs in (ten failures used to lock the account for 5 minutes).
        await Task.Delay(TimeSpan.FromSeconds(seconds + 0.5));
        await LoginAsync(host, owner.Email, owner.Password);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Try(owner.Email, "wrong-again-" + i)).StatusCode);
        }
        await LoginAsync(host, owner.Email, owner.Password);
    }

    [Fact]
    public async Task One_address_cannot_try_many_accounts_quickly()
    {
        await using var host = await LiveHost.StartAsync();
        for (var i = 0; i < 21; i++)
        {
            var failed = await host.Http.PostAsJsonAsync("/api/account/login", new { email = $"guess{i}@test.example", password = "wrong-pass-1" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }
        var next = await host.Http.PostAsJsonAsync("/api/account/login", new { email = "guess-new@test.example", password = "wrong-pass-1" });
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
        Assert.True(next.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Mail_goes_through_a_real_smtp_server_and_a_refused_delivery_is_said_on_the_page()
    {
        await using var smtp = await SmtpServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Mail:Provider"] = "Smtp",
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = smtp.Port.ToString(),
            ["Mail:Smtp:Security"] = "None",
            ["Mail:Smtp:UserName"] = SmtpServer.User,
            ["Mail:Smtp:Password"] = SmtpServer.Password,
            ["Mail:PublicUrl"] = "https://events.example.edu",
        };
        await using (var host = await LiveHost.StartAsync(settings))
        {
            var registered = await host.Http.PostAsJsonAsync("/api/account/register", new { email = "smtp@test.example", password = "test-pass-1" });
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            var mail = await Mailbox.WaitForAsync(smtp.Folder, "smtp@test.example");
            Assert.Equal("Confirm your email for Alumni Live", mail.Subject);
            // Links start at the configured public address, whatever Host the request named.
            var link = Mailbox.Link(mail, "/account/confirm");
            Assert.Equal("events.example.edu", link.Host);
            Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync(link.PathAndQuery)).StatusCode);
            await LoginAsync(host, "smtp@test.example", "test-pass-1");
        }

        settings["Mail:Smtp:Password"] = "wrong-secret";
        await using (var host = await LiveHost.StartAsync(settings))
        {
            using var browser = Browser(host);
            var registered = await RegisterAsync(browser, "refused@test.example", "Refused", "test-pass-1");
            var check = await browser.GetStringAsync(registered.Headers.Location!.OriginalString);
            Assert.Contains("The mail could not be sent just now", check);
            Assert.Empty(Mailbox.To(smtp.Folder, "refused@test.example"));
        }
    }
    [Fact]
    public async Task Names_that_imitate_staff_or_hide_characters_are_refused_at_registration()
    {
        await using var host = await LiveHost.StartAsync();
        var refusedAsStaff = new[]
        {
            "Alumni Office", "alumni  office", "ALUMNI 0FFICE", "\u0410lumni \u041Effice" /* Cyrillic A and O */, "Alumn1 Office",
            "ａｌｕｍｎｉ ｏｆｆｉｃｅ" /* full width */, "The Alumni Office team", "校友办", "校 友 办", "校友會", "Admin Li", "Moderator", "m0derat0r",
        };
        var refusedAsInvisible = new[] { "Alumni\u200BOffice", "\u202Eeciffo inmulA", "Li\u2066Wei", "\u3164", "Wei\u00ADLi" };
        var accepted = new[] { "Badminton fan", "李明", "María José", "Li Wei 2014", "Zoë", "王 芳" };
        var n = 0;
        foreach (var (names, expected) in new[] { (refusedAsStaff, "reads as the alumni office or a staff title"), (refusedAsInvisible, "invisible or direction-changing characters") })
        {
            foreach (var name in names)
            {
                var browser = Browser(host);
                var response = await RegisterAsync(browser, $"name{n++}@test.example", name, "test-pass-1");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains(expected, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
            }
        }
        foreach (var name in accepted)
        {
            var response = await RegisterAsync(Browser(host), $"name{n++}@test.example", name, "test-pass-1");
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, name);
        }
        // In Chinese too.
        var zh = await RegisterAsync(Browser(host, "zh-CN"), "zh-name@test.example", "校友办公室", "test-pass-1");
        Assert.Contains("仅限工作人员使用", WebUtility.HtmlDecode(await zh.Content.ReadAsStringAsync()));
    }
    [Fact]
    public async Task Registrations_and_account_mail_are_limited_by_address_and_by_recipient_without_telling_who_has_an_account()
    {
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:Accounts:RegistrationsPerAddress"] = "3",
            ["RateLimits:Accounts:MailRequestsPerAddress"] = "4",
            ["RateLimits:Accounts:MailsPerRecipient"] = "2",
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await RegisterAsync(Browser(host), $"burst{i}@test.example", $"Burst {i}", "test-pass-1")).StatusCode);
        }
        var fourth = await RegisterAsync(Browser(host), "burst3@test.example", "Burst 3", "test-pass-1");
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.Contains("Too many accounts were registered from your network", await fourth.Content.ReadAsStringAsync());
        var api = await host.Http.PostAsJsonAsync("/api/account/register", new { email = "burst4@test.example", password = "test-pass-1" });
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.True(api.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50));
        Assert.Empty(Mailbox.To(host.MailFolder, "burst3@test.example"));

        // One recipient gets two account mails an hour (its confirmation was one); further asks answer
        // the same as for an address without an account, and send nothing.
        var again = new Dictionary<string, string> { ["Email"] = "burst0@test.example" };
        for (var i = 0; i < 3; i++)
        {
            var asked = await SubmitAsync(Browser(host), "/account/resend", new(again));
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
            Assert.Contains("If burst0@test.example has an account, a message is on its way", WebUtility.HtmlDecode(await asked.Content.ReadAsStringAsync()));
        }
        await Mailbox.WaitForAsync(host.MailFolder, "burst0@test.example", already: 1);
        await Task.Delay(300);
        Assert.Equal(2, Mailbox.To(host.MailFolder, "burst0@test.example").Count);
        // The address has asked three times; the fourth is its last this hour, in either language.
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(Browser(host), "/account/forgot", new() { ["Email"] = "nobody@test.example" })).StatusCode);
        var fifth = await SubmitAsync(Browser(host, "zh-CN"), "/account/forgot", new() { ["Email"] = "nobody@test.example" });
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.Contains("申请的邮件过多", await fifth.Content.ReadAsStringAsync());
        var apiForgot = await host.Http.PostAsJsonAsync("/api/account/forgotPassword", new { email = "burst1@test.example" });
        Assert.Equal(HttpStatusCode.TooManyRequests, apiForgot.StatusCode);
    }

    [Fact]
    public async Task An_API_sign_in_for_an_unknown_address_takes_as_long_as_a_wrong_password()
    {
        // Full-strength password hashing (other tests lower it to make accounts quickly).
        await using var host = await LiveHost.StartAsync(services: (services, _) =>
            services.PostConfigure<PasswordHasherOptions>(o => o.IterationCount = new PasswordHasherOptions().IterationCount));
        var member = await host.CreateAccountAsync("timed");
        async Task<double> SignInMsAsync(string email)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var response = await host.Http.PostAsJsonAsync("/api/account/login", new { email, password = "wrong-pass-9" });
            var took = watch.Elapsed.TotalMilliseconds;
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            return took;
        }
        await SignInMsAsync("warm@test.example");
        // Alternated, so that the machine's load (other tests run beside this one) falls on both alike;
        // four tries, under the account's five free failures.
        var wrongPasswords = new List<double>();
        var unknowns = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            wrongPasswords.Add(await SignInMsAsync(member.Email));
            unknowns.Add(await SignInMsAsync($"stranger{i}@test.example"));
        }
        static double Median(List<double> took) => took.Order().ElementAt(took.Count / 2);
        var wrongPassword = Median(wrongPasswords);
        var unknown = Median(unknowns);
        // Without the extra work an unknown address answered ~13 times faster.
        Assert.True(unknown > wrongPassword * 0.5, $"unknown address {unknown:F1} ms, wrong password {wrongPassword:F1} ms");
    }
    [Fact]
    public async Task A_member_downloads_their_data_and_deletes_the_account_and_their_votes_stay_counted_and_their_messages_nameless()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var member = await host.CreateAccountAsync("leaving");
        var roster = new HttpRequestMessage(HttpMethod.Put, "/api/roster") { Content = new StringContent("student_number,name,class_year,school\n7001,Lin Yu,2015,Law\n", System.Text.Encoding.UTF8, "text/csv") };
        roster.Headers.Authorization = new("Bearer", organizer.Token);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(roster)).StatusCode);
        var browser = Browser(host);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, member.Email, member.Password)).StatusCode);
        var verified = await SubmitAsync(browser, "/account/verify", new() { ["StudentNumber"] = "7001", ["Name"] = "Lin Yu", ["ClassYear"] = "2015" }, "/account/verify?handler=Match");
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);

        string roundId;
        ChatAck said;
        await using (var control = await LiveClient.JoinAsync(host, Session, organizer.Token))
        await using (var client = await LiveClient.JoinAsync(host, Session, member.Token))
        {
            roundId = (await control.InvokeAsync<Silo.Live.RoundView>("OpenRound", Session, new Live.OpenRoundRequest("Best pitch?", ["A", "B"], true, false, "round-1"))).Value!.RoundId;
            Assert.True((await client.InvokeAsync<Silo.Live.VoteAck>("CastVote", roundId, "a", "vote-1")).Ok);
            said = (await client.InvokeAsync<ChatAck>("SendChat", Session, "thanks, everyone", "chat-1")).Value!;
        }

        // The download holds the account, the verification, the message, the vote and the log about them.
        var download = await browser.GetAsync("/account/data");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        var data = JsonDocument.Parse(await download.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(member.Email, data.GetProperty("account").GetProperty("email").GetString());
        Assert.Contains("Verified", data.GetProperty("account").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("7001", data.GetProperty("roster").GetProperty("studentNumber").GetString());
        Assert.Equal("thanks, everyone", data.GetProperty("chat")[0].GetProperty("text").GetString());
        Assert.Equal(("Best pitch?", "a"), (data.GetProperty("votes")[0].GetProperty("question").GetString(), data.GetProperty("votes")[0].GetProperty("option").GetString()));
        Assert.Contains(data.GetProperty("auditLog").EnumerateArray(), e => e.GetProperty("action").GetString() == "verify.roster" && e.GetProperty("byYou").GetBoolean());
        Assert.Equal(HttpStatusCode.Redirect, (await Browser(host).GetAsync("/account/data")).StatusCode);

        // Deleting asks for the password.
        var wrong = await SubmitAsync(browser, "/account/delete", new() { ["Password"] = "not-it-1" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        var deleted = await SubmitAsync(browser, "/account/delete", new() { ["Password"] = member.Password });
        Assert.Equal("/account/deleted", deleted.Headers.Location?.OriginalString);

        // Every credential stops: the cookie, the bearer token, a sign-in.
        Assert.False(await SignedInAsync(browser));
        await using (var again = await host.ConnectAsync(member.Token))
        {
            var joined = await again.InvokeAsync<HubResult<SessionSnapshot>>("JoinSession", Session);
            Assert.False(joined.Value!.You.SignedIn);
            Assert.Equal("unauthenticated", (await again.InvokeAsync<HubResult<ChatAck>>("SendChat", Session, "still here?", "chat-2")).Error?.Code);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.PostAsJsonAsync("/api/account/login", new { email = member.Email, password = member.Password })).StatusCode);

        // What others see stays: the vote is counted, the message is there without a name.
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        var message = viewer.Snapshot.Chat.Single(m => m.Id == said.MessageId);
        Assert.Equal(("", "thanks, everyone"), (message.AuthorName, message.Text));
        Assert.StartsWith("deleted-", message.AuthorId);
        Assert.Equal(1, viewer.Snapshot.Rounds.Single(r => r.RoundId == roundId).TotalVotes);
        // The student number is free again, and the log keeps what happened without the name.
        var organizerPages = Browser(host);
        await SignInAsync(organizerPages, organizer.Email, organizer.Password);
        Assert.Contains("1 alumni on the roster, 0 of them verified", WebUtility.HtmlDecode(await organizerPages.GetStringAsync("/organize/roster")));
        var log = WebUtility.HtmlDecode(await organizerPages.GetStringAsync("/organize/audit"));
        Assert.Contains("Account deleted", log);
        Assert.Contains("Verified by roster details", log);
        Assert.DoesNotContain(member.DisplayName, log);
        Assert.DoesNotContain(member.Id, log);

        // The only administrator cannot delete their account.
        var admin = Browser(host);
        await SignInAsync(admin, "admin@test.example", "admin-pass-1");
        Assert.Equal(HttpStatusCode.Conflict, (await SubmitAsync(admin, "/account/delete", new() { ["Password"] = "admin-pass-1" })).StatusCode);
        Assert.True(await SignedInAsync(admin));
    }
}
