using System.Net;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>
/// Company representatives as an organizer and a recruiter meet them, over real HTTP: an invitation
/// mailed to one address, accepted once by the account with that address, refused to others,
/// after its use and after its expiry; removal takes the role with the last company.
/// </summary>
public sealed class CompanyRepTests
{
    private const string Company = "abacrest-fintech";

    private static HttpClient Browser(LiveHost host, string language = "en") => host.Browser(language);

    private static async Task<(HttpStatusCode Status, string Html)> PostAsync(HttpClient browser, string page, string postTo, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(await browser.GetStringAsync(page));
        var response = await browser.PostAsync(postTo, new FormUrlEncodedContent(fields));
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    private static async Task<HttpClient> SignedInAsync(LiveHost host, string email, string password, string language = "en")
    {
        var browser = Browser(host, language);
        var (status, _) = await PostAsync(browser, "/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, status);
        return browser;
    }

    private static async Task<IList<string>> RolesAsync(LiveHost host, string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
        return await users.GetRolesAsync((await users.FindByEmailAsync(email))!);
    }

    [Fact]
    public async Task An_invited_recruiter_becomes_the_companys_representative_once_and_only_with_the_invited_address()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var organizerPages = await SignedInAsync(host, organizer.Email, organizer.Password);
        var (status, html) = await PostAsync(organizerPages, "/organize/companies", "/organize/companies?handler=Invite",
            new() { ["Company"] = Company, ["Email"] = "hr@abacrest.example" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("An invitation is on its way to hr@abacrest.example", html);
        Assert.Contains("invited, link valid until", html);
        var mail = await Mailbox.WaitForAsync(host.MailFolder, "hr@abacrest.example");
        Assert.Contains("Abacrest Financial Technology", mail.TextBody);
        var link = Mailbox.Link(mail, "/account/invitation").PathAndQuery;

        // Not signed in: the page says with which address to sign in.
        var stranger = Browser(host);
        var opened = WebUtility.HtmlDecode(await stranger.GetStringAsync(link));
        Assert.Contains("Sign in with hr@abacrest.example", opened);
        // Signed in as someone else: refused, in their language, and nothing changes.
        var other = await host.CreateAccountAsync("other");
        var otherPages = await SignedInAsync(host, other.Email, other.Password, "zh-CN");
        var wrong = await otherPages.GetAsync(link);
        Assert.Contains("此邀请发给 hr@abacrest.example", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(host.BaseUrl, link).Query)["token"]!;
        (status, _) = await PostAsync(otherPages, link, "/account/invitation", new() { ["Token"] = token });
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain(Roles.CompanyRep, await RolesAsync(host, other.Email));

        // The recruiter with the invited address accepts.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
            Assert.True((await users.CreateAsync(new Member { UserName = "hr@abacrest.example", Email = "hr@abacrest.example", EmailConfirmed = true, DisplayName = "Tan Mei" }, "recruit-pass-1")).Succeeded);
        }
        var recruiter = await SignedInAsync(host, "hr@abacrest.example", "recruit-pass-1");
        (status, html) = await PostAsync(recruiter, link, "/account/invitation", new() { ["Token"] = token });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("You represent Abacrest Financial Technology now", html);
        Assert.Contains(Roles.CompanyRep, await RolesAsync(host, "hr@abacrest.example"));
        Assert.Contains("Abacrest Financial Technology", WebUtility.HtmlDecode(await recruiter.GetStringAsync("/account")));
        // Once only (the link's page now shows no form: the post comes with a token from another page).
        Assert.Equal(HttpStatusCode.Gone, (await recruiter.GetAsync(link)).StatusCode);
        (status, html) = await PostAsync(recruiter, "/account", "/account/invitation", new() { ["Token"] = token });
        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Contains("used already", html);

        // An expired invitation is refused.
        (status, _) = await PostAsync(organizerPages, "/organize/companies", "/organize/companies?handler=Invite", new() { ["Company"] = "fernleaf-cloud", ["Email"] = "hr@abacrest.example" });
        Assert.Equal(HttpStatusCode.OK, status);
        var second = Mailbox.Link(await Mailbox.WaitForAsync(host.MailFolder, "hr@abacrest.example", already: 1), "/account/invitation").PathAndQuery;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
            await db.CompanyInvitations.Where(i => i.Company == "fernleaf-cloud").ExecuteUpdateAsync(i => i.SetProperty(x => x.ExpiresAt, 1L));
        }
        var expired = await recruiter.GetAsync(second);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("has expired", await expired.Content.ReadAsStringAsync());
        // An unknown company, a bad address.
        (status, html) = await PostAsync(organizerPages, "/organize/companies", "/organize/companies?handler=Invite", new() { ["Company"] = "no-such-company", ["Email"] = "x@y.example" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        (status, _) = await PostAsync(organizerPages, "/organize/companies", "/organize/companies?handler=Invite", new() { ["Company"] = Company, ["Email"] = "not an address" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);

        // The organizer sees the representative, the log has it all; removing them takes the role.
        var list = WebUtility.HtmlDecode(await organizerPages.GetStringAsync("/organize/companies"));
        Assert.Contains("Tan Mei", list);
        var recruiterId = (await host.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<UserManager<Member>>().FindByEmailAsync("hr@abacrest.example"))!.Id;
        (status, html) = await PostAsync(organizerPages, "/organize/companies", "/organize/companies?handler=Remove", new() { ["userId"] = recruiterId, ["company"] = Company });
        Assert.Contains("The representative is removed", html);
        Assert.DoesNotContain(Roles.CompanyRep, await RolesAsync(host, "hr@abacrest.example"));
        var audit = WebUtility.HtmlDecode(await organizerPages.GetStringAsync("/organize/audit"));
        Assert.Contains("Representative invited", audit);
        Assert.Contains("Invitation accepted", audit);
        Assert.Contains("Representative removed", audit);
    }
}
