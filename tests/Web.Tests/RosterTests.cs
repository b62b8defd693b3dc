using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>
/// The alumni roster and verification as organizers and members meet them, over real HTTP: an
/// organizer imports the office's CSV (all or nothing, bad rows named by line, re-import updates),
/// a member verifies by their details, by a mailed link, or by an organizer's decision; a number is
/// claimed once, failures are limited, and each verification is in the audit log.
/// </summary>
public sealed class RosterTests
{
    private const string Header = "student_number,name,class_year,school,email\n";

    private static HttpClient Browser(LiveHost host, string language = "en") => host.Browser(language);

    private static async Task<HttpClient> SignedInAsync(LiveHost host, Account account, string language = "en")
    {
        var browser = Browser(host, language);
        var token = LiveHost.AntiforgeryToken(await browser.GetStringAsync("/account/login"));
        var response = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = account.Email, ["Password"] = account.Password, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return browser;
    }

    /// <summary>Uploads the file on the roster page's import form, as a browser does.</summary>
    private static async Task<(HttpStatusCode Status, string Html)> ImportOnPageAsync(HttpClient organizer, byte[] file)
    {
        var token = LiveHost.AntiforgeryToken(await organizer.GetStringAsync("/organize/roster"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "roster.csv" },
        };
        var response = await organizer.PostAsync("/organize/roster?handler=Import", form);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    private static async Task<HttpResponseMessage> ImportByApiAsync(LiveHost host, string token, byte[] file)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/roster") { Content = new ByteArrayContent(file) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Authorization = new("Bearer", token);
        return await host.Http.SendAsync(request);
    }

    private static async Task<(HttpStatusCode Status, string Html)> PostPageAsync(HttpClient browser, string page, string handler, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(await browser.GetStringAsync(page));
        var response = await browser.PostAsync(page + (handler.Length > 0 ? "?handler=" + handler : ""), new FormUrlEncodedContent(fields));
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    private static Task<(HttpStatusCode Status, string Html)> MatchAsync(HttpClient member, string number, string name, string year) =>
        PostPageAsync(member, "/account/verify", "Match", new() { ["StudentNumber"] = number, ["Name"] = name, ["ClassYear"] = year });

    private static async Task<IReadOnlyList<string>> RolesOfAsync(LiveHost host, Account account)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Member>>();
        return (await users.GetRolesAsync((await users.FindByIdAsync(account.Id))!)).ToList();
    }

    /// <summary>The rows of the audit page's table, as text.</summary>
    private static async Task<string> AuditRowsAsync(HttpClient organizer, string url)
    {
        var html = await organizer.GetStringAsync(url);
        return WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "<tbody>[\\s\\S]*</tbody>").Value);
    }

    [Fact]
    public async Task An_imported_roster_lets_a_member_verify_once_by_their_details_and_the_audit_log_shows_it()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var organizerPages = await SignedInAsync(host, organizer);
        // A BOM, quoted fields with a comma and a doubled quote, CRLF line ends, columns in another order, a row without email.
        var csv = "\uFEFF学号,姓名,学院,届别,邮箱\r\n"
            + "2009310101,张三,计算机学院,2013,zhang@old.example\r\n"
            + "2010310202,\"Li, Wei\",\"School of \"\"Economics\"\"\",2014,\r\n"
            + "2011310303,王芳,外国语学院,2015,\r\n";
        var (status, html) = await ImportOnPageAsync(organizerPages, Encoding.UTF8.GetBytes(csv));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Imported 3 rows: 3 new, 0 updated", html);
        Assert.Contains("3 alumni on the roster, 0 of them verified", html);

        var member = await host.CreateAccountAsync("alum");
        var memberPages = await SignedInAsync(host, member, "zh-CN");
        // A wrong class year is refused with the tries left, in the member's language.
        (status, html) = await MatchAsync(memberPages, "2010310202", "Li Wei", "2015");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("信息与校友名册不符", html);
        Assert.Contains("今天剩余次数：4", html);
        // Spaces, case and full-width letters do not matter; the comma in the roster's name neither.
        (status, html) = await MatchAsync(memberPages, " 2010310202 ", "ｌｉ　ｗｅｉ", "2014");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("你已通过校友认证", html);
        Assert.Contains("School of \"Economics\"", html);
        Assert.Contains(Roles.Verified, await RolesOfAsync(host, member));
        // What it is for: a vote for verified alumni only now takes the member's bearer token, issued before.
        await using (var control = await LiveClient.JoinAsync(host, "contest-final", organizer.Token))
        await using (var voter = await LiveClient.JoinAsync(host, "contest-final", member.Token))
        {
            var round = await control.InvokeAsync<Silo.Live.RoundView>("OpenRound", "contest-final", new Live.OpenRoundRequest("Best pitch?", ["A", "B"], true, true, "verified-1"));
            Assert.True(round.Ok, round.Error?.Message);
            var vote = await voter.InvokeAsync<Silo.Live.VoteAck>("CastVote", round.Value!.RoundId, "a", "vote-1");
            Assert.True(vote.Ok, vote.Error?.Message);
        }

        // The number is claimed: another account with the same details is told so and not verified.
        var other = await host.CreateAccountAsync("other");
        var otherPages = await SignedInAsync(host, other);
        (status, html) = await MatchAsync(otherPages, "2010310202", "Li Wei", "2014");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("already verified for another account", html);
        Assert.DoesNotContain(Roles.Verified, await RolesOfAsync(host, other));
        // Five failures a day, then no more tries (the claimed number counted as one).
        for (var i = 0; i < 4; i++)
        {
            (status, html) = await MatchAsync(otherPages, "2011310303", "王 芳", "1999");
        }
        Assert.Contains("Too many tries today", html);
        (status, html) = await MatchAsync(otherPages, "2011310303", "王 芳", "2015");
        Assert.Contains("Too many tries today", html);
        Assert.DoesNotContain(Roles.Verified, await RolesOfAsync(host, other));

        // The organizer reads the log: the import, the verification and the failures, with who and from where.
        var audit = await AuditRowsAsync(organizerPages, "/organize/audit");
        Assert.Contains("Roster imported", audit);
        Assert.Contains("3 rows: 3 added, 0 updated", audit);
        Assert.Contains("Verified by roster details", audit);
        Assert.Contains("127.0.0.1", audit);
        var verified = await AuditRowsAsync(organizerPages, "/organize/audit?action=verify.roster");
        Assert.Contains(member.DisplayName, verified);
        Assert.Contains("student number 2010310202", verified);
        Assert.DoesNotContain("Roster imported", verified);
        var failed = await AuditRowsAsync(organizerPages, "/organize/audit?action=verify.failed&actor=" + Uri.EscapeDataString(other.DisplayName));
        Assert.Equal(5, failed.Split("Verification tried").Length - 1);
        Assert.Equal(HttpStatusCode.BadRequest, (await organizerPages.GetAsync("/organize/audit?from=yesterday")).StatusCode);
    }

    [Fact]
    public async Task A_roster_with_bad_rows_is_not_imported_at_all_and_each_bad_row_is_named_by_its_line()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        using var file = new MemoryStream();
        void Line(string text) => file.Write(Encoding.UTF8.GetBytes(text + "\n"));
        file.Write(Encoding.UTF8.GetBytes(Header));
        Line("1001,Good One,2010,Law,");                         // 2
        Line("1002,=HYPERLINK(\"http://x\"),2010,Law,");          // 3 formula
        Line("1003,Bad Year,1850,Law,");                          // 4
        Line("1001,Again,2011,Law,");                             // 5 duplicate of 2
        Line("1004,Short,2010");                                  // 6 field count
        file.Write(Encoding.UTF8.GetBytes("1005,"));               // 7: a 10 MB line
        file.Write(Encoding.ASCII.GetBytes(new string('x', 10 * 1024 * 1024)));
        Line(",2010,Law,");
        Line("1006,\"Open quote,2010,Law,");                      // 8..: the quote never closes
        var withoutEnd = file.ToArray();
        var response = await ImportByApiAsync(host, organizer.Token, withoutEnd);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("roster_refused", problem.GetProperty("title").GetString());
        var found = problem.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("line").GetInt64(), p.GetProperty("code").GetString())).ToList();
        Assert.Equal(
            [(3L, "formula"), (4L, "class_year"), (5L, "duplicate"), (6L, "field_count"), (7L, "too_long"), (8L, "unclosed_quote")],
            found);
        Assert.Contains("repeats the student number of line 2", problem.GetProperty("problems")[2].GetProperty("detail").GetString());
        Assert.Equal(6, problem.GetProperty("problemCount").GetInt64());
        // Nothing of it was kept, not even the good row.
        var pages = await SignedInAsync(host, organizer);
        Assert.Contains("0 alumni on the roster", WebUtility.HtmlDecode(await pages.GetStringAsync("/organize/roster")));

        // Text that is not UTF-8 (a GBK export) is named by its line, on the page, in Chinese.
        var gbk = Encoding.UTF8.GetBytes(Header + "2001,Ok,2010,Law,\n").Concat(new byte[] { 0x32, 0x30, 0x30, 0x32, 0x2C, 0xD5, 0xC5, 0xC8, 0xFD, 0x2C, 0x32, 0x30, 0x31, 0x30, 0x2C, 0x4C, 0x61, 0x77, 0x2C, 0x0A }).ToArray();
        var zhPages = await SignedInAsync(host, organizer, "zh-CN");
        var (status, html) = await ImportOnPageAsync(zhPages, gbk);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("未导入任何数据", html);
        Assert.Contains("第 3 行不是 UTF-8 文本", html);
        // A UTF-16 file, an unknown column, a missing one.
        (status, html) = await ImportOnPageAsync(pages, Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Header)).ToArray());
        Assert.Contains("The file is UTF-16 text", html);
        (status, html) = await ImportOnPageAsync(pages, Encoding.UTF8.GetBytes("student_number,name,class_year,emial\n1,A,2010,a@b.example\n"));
        Assert.Contains("unknown column \"emial\"", html);
        Assert.Contains("has no column \"school\"", html);
        Assert.Contains("0 alumni on the roster", html);

        // Members and strangers cannot import or read the log; a cookie is not taken by the API.
        var member = await host.CreateAccountAsync("member");
        Assert.Equal(HttpStatusCode.Forbidden, (await ImportByApiAsync(host, member.Token, Encoding.UTF8.GetBytes(Header))).StatusCode);
        var memberPages = await SignedInAsync(host, member);
        Assert.StartsWith("/account/denied", (await memberPages.GetAsync("/organize/roster")).Headers.Location?.OriginalString);
        Assert.StartsWith("/account/denied", (await memberPages.GetAsync("/organize/audit")).Headers.Location?.OriginalString);
        var cookieCall = new HttpRequestMessage(HttpMethod.Put, "/api/roster") { Content = new StringContent(Header, Encoding.UTF8, "text/csv") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await pages.SendAsync(cookieCall)).StatusCode);
        var wrongType = new HttpRequestMessage(HttpMethod.Put, "/api/roster") { Content = new StringContent(Header, Encoding.UTF8, "application/json") };
        wrongType.Headers.Authorization = new("Bearer", organizer.Token);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await host.Http.SendAsync(wrongType)).StatusCode);
    }

    [Fact]
    public async Task A_re_import_updates_the_roster_and_keeps_the_claims_and_a_mailed_link_or_an_organizer_verifies()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var first = Header + "3001,Chen Jing,2012,Medicine,chen.jing@alumni.example\n3002,Zhou Min,2013,Medicine,\n";
        var response = await ImportByApiAsync(host, organizer.Token, Encoding.UTF8.GetBytes(first));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var counts = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, counts.GetProperty("added").GetInt64());

        // A link goes to the roster's address (not the account's), and verifies the account that asked.
        var member = await host.CreateAccountAsync("jing");
        var memberPages = await SignedInAsync(host, member);
        var (status, html) = await PostPageAsync(memberPages, "/account/verify", "Link", new() { ["StudentNumber"] = "3001" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("a link is on its way", html);
        var mail = await Mailbox.WaitForAsync(host.MailFolder, "chen.jing@alumni.example");
        Assert.Contains("Chen Jing", mail.TextBody);
        var link = Mailbox.Link(mail, "/account/verify/link");
        // Opened by another account, it is refused and changes nothing.
        var stranger = await host.CreateAccountAsync("stranger");
        var strangerPages = await SignedInAsync(host, stranger);
        Assert.Equal(HttpStatusCode.BadRequest, (await strangerPages.GetAsync(link.PathAndQuery)).StatusCode);
        // Opening it changes nothing either: the member confirms.
        var opened = await memberPages.GetStringAsync(link.PathAndQuery);
        Assert.DoesNotContain(Roles.Verified, await RolesOfAsync(host, member));
        var confirm = await memberPages.PostAsync("/account/verify/link", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = System.Web.HttpUtility.ParseQueryString(link.Query)["token"]!,
            ["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(opened),
        }));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("You are a verified alumnus now", await confirm.Content.ReadAsStringAsync());
        Assert.Contains(Roles.Verified, await RolesOfAsync(host, member));
        // A tampered link is refused.
        Assert.Equal(HttpStatusCode.BadRequest, (await memberPages.GetAsync("/account/verify/link?token=abc" + link.Query[7..])).StatusCode);

        // The office corrects a name and adds a row: the claim stays with the account.
        var second = Header + "3001,Chen Jingjing,2012,Medicine,chen.jing@alumni.example\n3003,Sun Li,2014,Law,\n";
        response = await ImportByApiAsync(host, organizer.Token, Encoding.UTF8.GetBytes(second));
        counts = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((1, 1), (counts.GetProperty("added").GetInt64(), counts.GetProperty("updated").GetInt64()));
        var mine = WebUtility.HtmlDecode(await memberPages.GetStringAsync("/account/verify"));
        Assert.Contains("Chen Jingjing", mine);
        var pages = await SignedInAsync(host, organizer);
        Assert.Contains("3 alumni on the roster, 1 of them verified", WebUtility.HtmlDecode(await pages.GetStringAsync("/organize/roster")));

        // An organizer verifies a member whose details changed, with a reason; a claimed number is refused.
        var zhou = await host.CreateAccountAsync("zhou");
        (status, html) = await PostPageAsync(pages, "/organize/roster", "Decide", new() { ["MemberEmail"] = zhou.Email, ["StudentNumber"] = "3001", ["Reason"] = "name changed" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("already verified for another account", html);
        (status, html) = await PostPageAsync(pages, "/organize/roster", "Decide", new() { ["MemberEmail"] = zhou.Email, ["StudentNumber"] = "3002", ["Reason"] = "married name, checked her diploma" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("The member is verified", html);
        Assert.Contains(Roles.Verified, await RolesOfAsync(host, zhou));
        var audit = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/audit?action=verify.organizer") { Headers = { Authorization = new("Bearer", organizer.Token) } });
        var entries = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement;
        var entry = Assert.Single(entries.EnumerateArray());
        Assert.Equal(zhou.Id, entry.GetProperty("target").GetString());
        Assert.Equal(organizer.Id, entry.GetProperty("actorId").GetString());
        Assert.Contains("married name", entry.GetProperty("detail").GetString());
        var viaLink = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/audit?action=verify.link") { Headers = { Authorization = new("Bearer", organizer.Token) } });
        Assert.Single(JsonDocument.Parse(await viaLink.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
    }
    [Fact]
    public async Task A_rounds_signals_count_votes_by_address_device_and_account_age_for_the_anomaly_report()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var voters = new List<Account>();
        for (var i = 0; i < 3; i++)
        {
            voters.Add(await host.CreateAccountAsync("voter"));
        }
        // An account from before registration times were kept.
        var old = await host.CreateAccountAsync("old");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
            await db.Users.Where(u => u.Id == old.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.CreatedAt, 0L));
        }
        old = old with { Token = await host.LoginAsync(old.Email, old.Password) };

        await using var control = await LiveClient.JoinAsync(host, "contest-final", organizer.Token);
        var round = (await control.InvokeAsync<Silo.Live.RoundView>("OpenRound", "contest-final", new Live.OpenRoundRequest("Audience award?", ["A", "B"], true, false, "signals"))).Value!.RoundId;
        var n = 0;
        foreach (var voter in voters.Append(old))
        {
            // Two phones: the first three votes come from one browser (its viewer cookie), the last from another.
            var cookie = "vid=" + (n++ < 3 ? "phone-a-0123456789abcdef" : "phone-b-0123456789abcdef");
            await using var connection = await LiveHost.ConnectAsync(host.HubUrl, voter.Token, cookie: cookie);
            Assert.True((await connection.InvokeCoreAsync<Live.HubResult<Silo.Live.SessionSnapshot>>("JoinSession", ["contest-final"])).Ok);
            async Task<string> VoteAsync(string option, string id) =>
                (await connection.InvokeCoreAsync<Live.HubResult<Silo.Live.VoteAck>>("CastVote", [round, option, id])).Value!.Status;
            Assert.Equal("accepted", await VoteAsync("a", "v1"));
            // A retry and a change of mind add no signal: one vote, one signal.
            Assert.Equal("accepted", await VoteAsync("a", "v1"));
            Assert.Equal("already_voted", await VoteAsync("b", "v2"));
        }

        JsonElement report = default;
        await Eventually.TrueAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/rounds/{round}/signals") { Headers = { Authorization = new("Bearer", organizer.Token) } };
            report = JsonDocument.Parse(host.Http.SendAsync(request).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement;
            return report.GetProperty("votes").GetInt64() == 4;
        }, "four signals written", 5_000);
        Assert.Equal(3, report.GetProperty("fromNewAccounts").GetInt64());
        Assert.Equal(1, report.GetProperty("fromAccountsOfUnknownAge").GetInt64());
        var addresses = report.GetProperty("topAddresses").EnumerateArray().ToArray();
        Assert.True(addresses.Length == 1, "one address expected; the report: " + report.GetRawText());
        var address = addresses[0];
        Assert.Equal(("127.0.0.1", 4L), (address.GetProperty("key").GetString(), address.GetProperty("votes").GetInt64()));
        // Three votes from one phone, one from another.
        Assert.Equal([3L, 1L], report.GetProperty("topDevices").EnumerateArray().Select(d => d.GetProperty("votes").GetInt64()));
        // Members do not read it.
        var refused = new HttpRequestMessage(HttpMethod.Get, $"/api/rounds/{round}/signals") { Headers = { Authorization = new("Bearer", voters[0].Token) } };
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(refused)).StatusCode);
    }
}
