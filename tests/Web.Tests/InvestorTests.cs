using System.Net;
using Events.Web.Accounts;
using Events.Web.Tests.Infrastructure;

namespace Events.Web.Tests;

/// <summary>Investors mark interest in a project on its page; the project's team (made by an organizer) sees who, and nobody else does.</summary>
public sealed class InvestorTests
{
    private const string Project = "micro-lidar-chip";
    private const string Path = "/projects/" + Project;

    private static async Task<(HttpStatusCode Status, string Html)> PostAsync(HttpClient client, string handler, Dictionary<string, string> form)
    {
        form["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(await client.GetStringAsync(Path));
        var response = await client.PostAsync($"{Path}?handler={handler}", new FormUrlEncodedContent(form));
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task An_investors_interest_reaches_the_projects_team_and_only_them()
    {
        await using var host = await LiveHost.StartAsync();
        var investorAccount = await host.CreateAccountAsync("investor", Roles.Investor);
        var teamAccount = await host.CreateAccountAsync("founder");
        var organizerAccount = await host.CreateAccountAsync("org", Roles.Organizer);
        var strangerAccount = await host.CreateAccountAsync("stranger");
        var investor = await host.SignInWithFormAsync(investorAccount.Email, investorAccount.Password);
        var team = await host.SignInWithFormAsync(teamAccount.Email, teamAccount.Password);
        var organizer = await host.SignInWithFormAsync(organizerAccount.Email, organizerAccount.Password);
        var stranger = await host.SignInWithFormAsync(strangerAccount.Email, strangerAccount.Password);

        // The recorded investment shows to everyone, in their language.
        Assert.Contains("Invested:</strong> Lakeside Alumni Angels", WebUtility.HtmlDecode(await host.Browser("en").GetStringAsync(Path)));
        Assert.Contains("澄湖校友天使会", WebUtility.HtmlDecode(await host.Browser("zh-CN").GetStringAsync(Path)));
        // So does its picture, from the content's images folder.
        Assert.Contains("<img class=\"project-image\" src=\"/content/images/micro-lidar-chip.svg\"", await host.Browser("en").GetStringAsync(Path));
        var picture = await host.Browser("en").GetAsync("/content/images/micro-lidar-chip.svg");
        Assert.Equal(HttpStatusCode.OK, picture.StatusCode);
        Assert.Equal("image/svg+xml", picture.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Browser("en").GetAsync("/content/images/../projects/micro-lidar-chip.md")).StatusCode);

        Assert.Contains("I am interested", await investor.GetStringAsync(Path));
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(investor, "Interest", new() { ["interested"] = "true" })).Status);
        Assert.Contains("You marked interest", await investor.GetStringAsync(Path));
        // A member who is not an investor cannot mark interest.
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(stranger, "Interest", new() { ["interested"] = "true" })).Status);

        // Before the organizer makes the founder one of the team, the founder sees nothing of it.
        Assert.DoesNotContain(investorAccount.Email, await team.GetStringAsync(Path));
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(team, "AddTeam", new() { ["email"] = teamAccount.Email })).Status);
        var added = await PostAsync(organizer, "AddTeam", new() { ["email"] = teamAccount.Email });
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Contains(teamAccount.DisplayName + " now belongs to the team", added.Html);
        var teamPage = WebUtility.HtmlDecode(await team.GetStringAsync(Path));
        Assert.Contains("Investors interested (1)", teamPage);
        Assert.Contains(investorAccount.Email, teamPage);
        Assert.Contains(investorAccount.DisplayName, teamPage);
        // Nobody else sees it: not a member, not the investor, not a visitor; another project's page has none of it.
        Assert.DoesNotContain(investorAccount.Email, await stranger.GetStringAsync(Path));
        Assert.DoesNotContain("Investors interested", await investor.GetStringAsync(Path));
        Assert.DoesNotContain(investorAccount.Email, await host.Browser("en").GetStringAsync(Path));
        Assert.DoesNotContain(investorAccount.Email, await team.GetStringAsync("/projects/tea-garden-drone"));

        // Withdrawn, the interest leaves the team's list.
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(investor, "Interest", new() { ["interested"] = "false" })).Status);
        Assert.Contains("Investors interested (0)", WebUtility.HtmlDecode(await team.GetStringAsync(Path)));
        // The organizer's change is in the audit log, naming the project.
        Assert.Contains(Project, await organizer.GetStringAsync("/organize/audit?action=team.add"));
    }
}
