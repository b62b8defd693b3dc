using System.Text.Json;
using System.Net;
using System.Net.Http.Json;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;

namespace Events.Web.Tests;

/// <summary>The server-rendered pages over real HTTP: content, languages, status codes, access.</summary>
public sealed class PagesTests
{
    [Fact]
    public async Task The_home_page_lists_live_upcoming_and_past_events_in_the_browsers_language()
    {
        await using var host = await LiveHost.StartAsync();
        var english = await host.Http.GetStringAsync("/");
        Assert.Contains("Happening now", english);
        Assert.Contains("Alumni Enterprise Online Job Fair", english);
        Assert.Contains("Coming up", english);
        Assert.Contains("Past events", english);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.5");
        var chinese = await (await host.Http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"zh-CN\">", chinese);
        Assert.Contains("校友活动", chinese);
        Assert.Contains("2026全球校友创新创业大赛", chinese);
    }

    [Theory]
    [InlineData("zh", true)]
    [InlineData("zh-TW,zh;q=0.9", true)]
    [InlineData("zh-Hans-CN", true)]
    [InlineData("fr-FR,fr;q=0.9,zh;q=0.5", true)]
    [InlineData("en-GB,en;q=0.9,zh-CN;q=0.8", false)]
    [InlineData("zh-CN;q=0.4,en-US;q=0.8", false)]
    [InlineData("fr,de", false)]
    [InlineData("", false)]
    public async Task A_browser_asking_for_any_Chinese_gets_the_Chinese_pages_and_English_otherwise(string acceptLanguage, bool chinese)
    {
        await using var host = await LiveHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        if (acceptLanguage.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }
        var page = await (await host.Http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Equal(chinese, page.Contains("<html lang=\"zh-CN\">"));
        Assert.Equal(!chinese, page.Contains("<html lang=\"en\">"));
    }

    [Fact]
    public async Task Another_sites_page_cannot_sign_a_browser_in_or_change_anything_with_its_cookie()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("target");
        async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? origin, object? body = null, string? bearer = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            if (bearer is not null)
            {
                request.Headers.Authorization = new("Bearer", bearer);
            }
            return await client.SendAsync(request);
        }
        var credentials = new { email = member.Email, password = member.Password };
        // A forged sign-in: a foreign page posting the attacker's credentials with useCookies.
        var browser = host.Browser();
        var forged = await SendAsync(browser, HttpMethod.Post, "/api/account/login?useCookies=true", "http://evil.example", credentials);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("cross_origin", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.False(forged.Headers.Contains("Set-Cookie"));
        // From the site itself it signs in; then a foreign page cannot use that cookie to change the account.
        var own = await SendAsync(browser, HttpMethod.Post, "/api/account/login?useCookies=true", host.BaseUrl.GetLeftPart(UriPartial.Authority), credentials);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var change = new { newEmail = "stolen@evil.example" };
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(browser, HttpMethod.Post, "/api/account/manage/info", "http://evil.example", change)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(browser, HttpMethod.Post, "/api/account/manage/info", "null", change)).StatusCode);
        // Reading is not a change; a bearer-token app on another origin is not a forged request.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(browser, HttpMethod.Get, "/api/account/manage/info", "http://evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host.Http, HttpMethod.Post, "/api/account/manage/info", "http://app.example", new { }, member.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(browser, HttpMethod.Post, "/api/account/manage/info", host.BaseUrl.GetLeftPart(UriPartial.Authority), new { })).StatusCode);
    }

    [Fact]
    public async Task Redirects_stay_on_this_site_whatever_the_Host_header_says()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("member");
        var signedIn = await host.SignInWithFormAsync(member.Email, member.Password);
        async Task<string?> LocationAsync(HttpClient client, string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "evil.example";
            request.Headers.Accept.ParseAdd("text/html");
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            return response.Headers.Location?.OriginalString;
        }
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };
        Assert.Equal("/account/login?ReturnUrl=%2Faccount", await LocationAsync(anonymous, "/account"));
        Assert.Equal("/account/login?ReturnUrl=%2Forganize%2Froster", await LocationAsync(anonymous, "/organize/roster"));
        Assert.StartsWith("/account/denied", await LocationAsync(signedIn, "/admin/users"));
        Assert.Equal("/replays", await LocationAsync(anonymous, "/lang/en?returnUrl=/replays"));
    }

    [Fact]
    public async Task Other_clients_read_events_and_sessions_with_their_status_from_the_api_in_either_language()
    {
        await using var host = await LiveHost.StartAsync();
        var events = JsonDocument.Parse(await host.Http.GetStringAsync("/api/events")).RootElement;
        var contest = events.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "contest-2026");
        Assert.Equal("contest", contest.GetProperty("kind").GetString());
        Assert.Equal("Global Alumni Innovation and Entrepreneurship Contest 2026", contest.GetProperty("title").GetString());
        var final = contest.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "contest-final");
        Assert.Equal("upcoming", final.GetProperty("status").GetString());
        Assert.Equal("/sessions/contest-final", final.GetProperty("url").GetString());
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("status").GetString() == "ended");

        // In Chinese, by parameter or by the request's language.
        var zh = JsonDocument.Parse(await host.Http.GetStringAsync("/api/sessions/contest-final?lang=zh")).RootElement;
        Assert.Equal("总决赛：现场路演与观众投票", zh.GetProperty("title").GetString());
        Assert.Equal("contest-2026", zh.GetProperty("eventId").GetString());
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/events/contest-2026"))
        {
            request.Headers.AcceptLanguage.ParseAdd("zh-CN");
            var byHeader = JsonDocument.Parse(await (await host.Http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
            Assert.StartsWith("2026", byHeader.GetProperty("title").GetString());
            Assert.DoesNotContain("Contest", byHeader.GetProperty("title").GetString());
        }

        // An organizer takes the session live: the API says so within the pages' two seconds.
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var control = await LiveClient.JoinAsync(host, "contest-final", organizer.Token);
        Assert.True((await control.InvokeAsync<bool>("SetSessionStatus", "contest-final", "live")).Ok);
        await Eventually.TrueAsync(() => JsonDocument.Parse(host.Http.GetStringAsync("/api/sessions/contest-final").GetAwaiter().GetResult())
            .RootElement.GetProperty("status").GetString() == "live", "the session shows live", 5_000);
        var live = JsonDocument.Parse(await host.Http.GetStringAsync("/api/events/contest-2026")).RootElement;
        Assert.Equal("live", live.GetProperty("status").GetString());

        // Unknown ids and languages are ProblemDetails.
        var unknown = await host.Http.GetAsync("/api/events/no-such-event");
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (unknown.StatusCode, unknown.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/sessions/no-such-session")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.GetAsync("/api/events?lang=fr")).StatusCode);
    }

    [Fact]
    public async Task A_person_meets_errors_as_pages_in_their_language_and_programs_get_problem_details()
    {
        await using var host = await LiveHost.StartAsync();
        async Task<(HttpStatusCode Status, string? Type, string Body)> GetAsync(string path, string accept, string language = "en", HttpMethod? method = null)
        {
            using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd(accept);
            request.Headers.AcceptLanguage.ParseAdd(language);
            if (method == HttpMethod.Post)
            {
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "a@b.example" });
            }
            var response = await host.Http.SendAsync(request);
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        }
        const string browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        var (status, type, body) = await GetAsync("/no/such/page", browser, "zh-CN");
        Assert.Equal((HttpStatusCode.NotFound, "text/html"), (status, type));
        Assert.Contains("页面不存在", body);
        Assert.Contains("<html lang=\"zh-CN\"", body);
        (status, type, body) = await GetAsync("/sessions/no-such-session", browser);
        Assert.Equal((HttpStatusCode.NotFound, "text/html"), (status, type));
        Assert.Contains("Page not found", body);
        // A form posted without its antiforgery token (a stale or forged page) answers a page too.
        (status, type, body) = await GetAsync("/account/forgot", browser, "en", HttpMethod.Post);
        Assert.Equal((HttpStatusCode.BadRequest, "text/html"), (status, type));
        Assert.Contains("reload it and try again", body);
        // Programs keep ProblemDetails, whatever they accept.
        (status, type, _) = await GetAsync("/api/no-such-endpoint", browser);
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (status, type));
        (status, type, _) = await GetAsync("/hls/contest-final/none.m3u8", "*/*");
        Assert.NotEqual("text/html", type);
        (status, type, _) = await GetAsync("/no/such/page", "application/json");
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (status, type));
    }

    [Fact]
    public async Task A_session_going_live_shows_on_the_home_and_event_pages_within_seconds()
    {
        await using var host = await LiveHost.StartAsync();
        Assert.DoesNotContain("On air now", await host.Http.GetStringAsync("/"));
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var client = await LiveClient.JoinAsync(host, "contest-final", organizer.Token);
        Assert.True((await client.InvokeAsync<bool>("SetSessionStatus", "contest-final", "live")).Ok);
        await Eventually.TrueAsync(() => host.Http.GetStringAsync("/").GetAwaiter().GetResult().Contains("On air now"), "the home page lists the session on air", 5_000);
        Assert.Contains("<span class=\"badge live\">Live</span>", await host.Http.GetStringAsync("/events/contest-2026"));
    }

    [Fact]
    public async Task Event_pages_show_the_schedule_booths_and_finalists()
    {
        await using var host = await LiveHost.StartAsync();
        var fair = await host.Http.GetStringAsync("/events/jobfair-2026-autumn");
        Assert.Contains("Company booths (150)", fair);
        Assert.Contains("href=\"/fair/jobfair-2026-autumn\"", fair);
        Assert.Contains("href=\"/fair/jobfair-2026-autumn?hall=banking\"", fair);
        Assert.Contains("/sessions/jobfair-opening", fair);
        var contest = await host.Http.GetStringAsync("/events/contest-2026");
        Assert.Contains("Finalist projects (20)", contest);
        Assert.Contains("/sessions/contest-final", contest);
        Assert.Contains("/speakers/", contest);
        var speaker = await host.Http.GetStringAsync("/speakers/sun-weiguo");
        Assert.Contains("/sessions/contest-final", speaker);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/events/no-such-event")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/sessions/no-such-session")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/speakers/nobody")).StatusCode);
    }

    [Fact]
    public async Task The_watch_page_renders_the_live_state_without_javascript()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("talker");
        await using (var client = await LiveClient.JoinAsync(host, "contest-final", member.Token))
        {
            Assert.True((await client.InvokeAsync<ChatAck>("SendChat", "contest-final", "<b>not bold</b> & plain", "p1")).Ok);
            Assert.True((await client.InvokeAsync<ReactionAck>("React", "contest-final", "applause")).Ok);
        }
        var page = await host.Http.GetStringAsync("/sessions/contest-final");
        Assert.Contains("Grand Final", page);
        // Chat is plain text: markup typed by a member is shown, not interpreted.
        Assert.Contains("&lt;b&gt;not bold&lt;/b&gt; &amp; plain", page);
        Assert.Matches("id=\"reaction-applause\">1<", page);
        Assert.Matches("id=\"count-views\">1<", page);
        Assert.Contains("Sign in to chat", page);
    }

    [Fact]
    public async Task Administration_needs_the_administrator_role()
    {
        await using var host = await LiveHost.StartAsync();
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };
        var redirect = await anonymous.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/account/login", redirect.Headers.Location!.OriginalString);

        var member = await host.CreateAccountAsync();
        using var asMember = await host.SignInWithFormAsync(member.Email, member.Password);
        var denied = await asMember.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.OriginalString);

        using var asAdmin = await host.SignInWithFormAsync("admin@test.example", "admin-pass-1");
        var list = await asAdmin.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var html = await list.Content.ReadAsStringAsync();
        Assert.Contains(member.Email, html);

        // Granting a role through the page (a form post with its antiforgery token) takes effect.
        var token = LiveHost.AntiforgeryToken(html);
        var grant = await asAdmin.PostAsync("/admin/users", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userId"] = member.Id, ["role"] = Roles.Moderator, ["grant"] = "true", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        var forged = await asAdmin.PostAsync("/admin/users", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userId"] = member.Id, ["role"] = Roles.Administrator, ["grant"] = "true",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var moderator = await host.LoginAsync(member.Email, member.Password);
        await using var client = await LiveClient.JoinAsync(host, "contest-final", moderator);
        Assert.True(client.Snapshot.You.CanModerate);
        Assert.False(client.Snapshot.You.CanOrganize);
    }

    [Fact]
    public async Task Account_errors_are_problem_details_and_health_reports_healthy()
    {
        await using var host = await LiveHost.StartAsync();
        var badLogin = await host.Http.PostAsJsonAsync("/api/account/login", new { email = "nobody@test.example", password = "wrong-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, badLogin.StatusCode);
        Assert.Equal("application/problem+json", badLogin.Content.Headers.ContentType?.MediaType);

        var weak = await host.Http.PostAsJsonAsync("/api/account/register", new { email = "weak@test.example", password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("PasswordTooShort", await weak.Content.ReadAsStringAsync());

        using var health = System.Text.Json.JsonDocument.Parse(await host.Http.GetStringAsync("/health"));
        Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
        var checks = health.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        var cluster = checks.GetProperty("cluster");
        Assert.Equal("Healthy", cluster.GetProperty("status").GetString());
        Assert.Equal(1, cluster.GetProperty("data").GetProperty("activeSilos").GetInt32());
    }

    [Fact]
    public async Task The_language_switch_only_returns_to_local_addresses()
    {
        await using var host = await LiveHost.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };
        var local = await client.GetAsync("/lang/zh-CN?returnUrl=/events/contest-2026");
        Assert.Equal("/events/contest-2026", local.Headers.Location!.OriginalString);
        Assert.Contains(local.Headers.GetValues("Set-Cookie"), c => c.Contains(".AspNetCore.Culture") && c.Contains("zh-CN"));
        var foreign = await client.GetAsync("/lang/en?returnUrl=//evil.example/");
        Assert.Equal("/", foreign.Headers.Location!.OriginalString);
        // A tab or a line break in the address answered 500 before.
        foreach (var hostile in new[] { "/%09/evil.example", "/x%0D%0ASet-Cookie:%20a=b", "/%0A" })
        {
            var refused = await client.GetAsync("/lang/en?returnUrl=" + hostile);
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.Equal("/", refused.Headers.Location!.OriginalString);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/sessions/contest-final")]
    [InlineData("/account/login")]
    [InlineData("/css/site.css")]
    [InlineData("/no-such-page")]
    [InlineData("/api/admin/users")]
    public async Task Every_response_forbids_framing_inline_script_and_sniffing(string path)
    {
        await using var host = await LiveHost.StartAsync();
        var response = await host.Http.GetAsync(path);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS only over HTTPS");
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_that_says_https_cookies_are_secure_and_hsts_is_sent()
    {
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Proxy:TrustedProxies:0"] = "127.0.0.1" });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await host.Http.SendAsync(request);
        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        Assert.All(response.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

        // An address that is not a trusted proxy is not believed.
        await using var other = await LiveHost.StartAsync(new Dictionary<string, string?> { ["Proxy:TrustedProxies:0"] = "10.9.8.7" });
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        forged.Headers.Add("X-Forwarded-Proto", "https");
        var plain = await other.Http.SendAsync(forged);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.All(plain.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
    }
}
