using System.Net;
using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Content;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>
/// The contest's judging through its pages, as judges and the organizer fill them in, with the
/// audience vote over the real hub: own sheets only, refusals that save nothing, the lock and
/// what it needs, the ranking by the contest's weights, the reveal reaching every viewer, and the exports.
/// </summary>
public sealed class JudgingTests
{
    private const string Contest = ContestDesk.Contest;
    private const string Final = "contest-final";

    [Fact]
    public async Task Judges_score_their_own_sheets_until_the_lock_and_the_organizer_ranks_by_the_weights_and_reveals_to_every_viewer()
    {
        await using var host = await LiveHost.StartAsync();
        var catalog = host.Services.GetRequiredService<ContentStore>().Current;
        var rules = catalog.Contest(Contest)!;
        var projects = rules.Projects;
        var criteria = rules.Criteria.Select(c => c.Id).ToArray();
        Assert.Equal(20, projects.Count);
        Assert.Equal(["innovation", "market-potential", "team", "feasibility"], criteria);
        Assert.Equal(30, rules.AudienceWeight);

        var organizerAccount = await host.CreateAccountAsync("org", Roles.Organizer);
        var first = await host.CreateAccountAsync("judgeone");
        var second = await host.CreateAccountAsync("judgetwo");
        var stranger = await host.CreateAccountAsync("stranger");
        var desk = new ContestDesk(await host.SignInWithFormAsync(organizerAccount.Email, organizerAccount.Password), Contest);
        var one = new ContestDesk(await host.SignInWithFormAsync(first.Email, first.Password), Contest);
        var two = new ContestDesk(await host.SignInWithFormAsync(second.Email, second.Password), Contest);
        var outsider = new ContestDesk(await host.SignInWithFormAsync(stranger.Email, stranger.Password), Contest);

        // Nobody judges until the organizer says so; an unknown address is refused in words.
        Assert.NotEqual(HttpStatusCode.OK, (await one.Client.GetAsync(one.SheetPath)).StatusCode);
        var unknown = await desk.AddJudgeAsync("nobody@test.example");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.Status);
        Assert.Contains("No account has that email address", unknown.Html);
        Assert.Equal(HttpStatusCode.OK, (await desk.AddJudgeAsync(first.Email)).Status);
        Assert.Equal(HttpStatusCode.OK, (await desk.AddJudgeAsync(second.Email)).Status);
        Assert.Equal(HttpStatusCode.OK, (await one.Client.GetAsync(one.SheetPath)).StatusCode);
        // As a browser asks for it (Accept: text/html), the refusal is a page in words.
        var denied = await outsider.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, outsider.SheetPath) { Headers = { { "Accept", "text/html" } } });
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("This is not open to you", await denied.Content.ReadAsStringAsync());
        // A member is not an organizer: the desk is not theirs.
        Assert.NotEqual(HttpStatusCode.OK, (await one.Client.GetAsync(desk.DeskPath)).StatusCode);

        // A sheet with one score out of range saves nothing at all.
        var bad = await one.ScoreAsync(ContestDesk.Sheet(projects, criteria, 5).Append((projects[3], criteria[0], "11")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Contains("Nothing was saved", bad.Html);
        Assert.Contains("0 of 20 projects scored", await one.Client.GetStringAsync(one.SheetPath));

        // Judge one: 8 on every criterion of the first project, 9 on the second, 5 elsewhere.
        var saved = await one.ScoreAsync(ContestDesk.Sheet(projects, criteria, 5, new Dictionary<string, int> { [projects[0]] = 8, [projects[1]] = 9 }));
        Assert.Equal(HttpStatusCode.OK, saved.Status);
        Assert.Contains("20 of 20 projects scored", saved.Html);
        // Judge two sees an empty sheet of their own, none of judge one's scores.
        var otherSheet = await two.Client.GetStringAsync(two.SheetPath);
        Assert.Contains("0 of 20 projects scored", otherSheet);
        Assert.DoesNotContain("value=\"8\"", otherSheet);
        Assert.DoesNotContain("value=\"5\"", otherSheet);
        // Half a sheet: the lock waits for it and names who is behind.
        Assert.Equal(HttpStatusCode.OK, (await two.ScoreAsync(ContestDesk.Sheet(projects.Take(10).ToArray(), criteria, 5))).Status);
        var early = await desk.LockAsync(null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.Status);
        Assert.Contains("Not finished: " + second.DisplayName, early.Html);
        Assert.DoesNotContain(first.DisplayName + ",", early.Html);
        // The organizer's desk shows progress, never scores.
        var progress = await desk.Client.GetStringAsync(desk.DeskPath);
        Assert.Contains("20 of 20 projects scored", progress);
        Assert.Contains("10 of 20 projects scored", progress);
        Assert.DoesNotContain("Ranking", progress);
        // Judge two: 6 on the first project, 9 on the second, 5 elsewhere.
        Assert.Equal(HttpStatusCode.OK, (await two.ScoreAsync(ContestDesk.Sheet(projects, criteria, 5, new Dictionary<string, int> { [projects[0]] = 6, [projects[1]] = 9 }))).Status);

        // The audience votes three projects each over the hub.
        await using var org = await LiveClient.JoinAsync(host, Final, organizerAccount.Token);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Final, new OpenRoundRequest("Audience Choice Award", null, true, false, "aud-1", MaxChoices: 3, FromRunningOrder: true))).Value!;
        var option = round.Options.ToDictionary(o => o.Project!, o => o.Id);
        foreach (var (ballot, i) in new[] { new[] { projects[0], projects[1], projects[2] }, [projects[0]] }.Select((b, i) => (b, i)))
        {
            var voter = await host.CreateAccountAsync("voter");
            await using var v = await LiveClient.JoinAsync(host, Final, voter.Token);
            Assert.Equal("accepted", (await v.InvokeAsync<VoteAck>("CastBallot", round.RoundId, ballot.Select(p => option[p]).ToArray(), "v" + i)).Value?.Status);
        }
        var open = await desk.LockAsync(round.RoundId);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, open.Status);
        Assert.Contains("Close the audience vote first", open.Html);
        Assert.True((await org.InvokeAsync<RoundView>("CloseRound", round.RoundId)).Ok);

        // Revealing before the lock is refused.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await desk.RevealAsync(1)).Status);
        var locked = await desk.LockAsync(round.RoundId);
        Assert.Equal(HttpStatusCode.OK, locked.Status);
        Assert.Contains("Judging is locked.", locked.Html);
        var late = await one.ScoreAsync([(projects[5], criteria[0], "10")]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, late.Status);
        Assert.Contains("Judging is locked", late.Html);

        // The ranking, by hand: judges' score = mean of Σ weight × score / 10; audience = 100 × votes / most votes;
        // final = 70% judges + 30% audience. First project: judges (80 + 60) / 2 = 70, audience 2 of 2 → 100, final 79.
        // Second: judges 90, audience 1 of 2 → 50, final 78. Third: judges 50, audience 50, final 50. The rest: 35, in running order.
        var results = await desk.Client.GetStringAsync($"/organize/contests/{Contest}/results.csv");
        var rows = results.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(20, rows.Length);
        Assert.Equal([projects[0], projects[1], projects[2], projects[3], projects[4]], rows.Take(5).Select(r => r[1]));
        Assert.Equal(["79.0000", "78.0000", "50.0000", "35.0000"], rows.Take(4).Select(r => r[6]));
        Assert.Equal(["70.0000", "90.0000", "50.0000"], rows.Take(3).Select(r => r[7]));
        Assert.Equal(["100.0000", "50.0000", "50.0000", "0.0000"], rows.Take(4).Select(r => r[8]));
        Assert.Equal(["2", "1", "1", "0"], rows.Take(4).Select(r => r[9]));
        var scores = await desk.Client.GetStringAsync($"/organize/contests/{Contest}/scores.csv");
        Assert.Equal(1 + 2 * 20 * 4, scores.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var ballots = (await desk.Client.GetStringAsync($"/organize/rounds/{round.RoundId}/ballots.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, ballots.Length);
        Assert.DoesNotContain(ballots, l => l.Contains("voter", StringComparison.Ordinal));

        // The reveal counts down from fifth place; every viewer, joined before or after, sees each step.
        await using var early1 = await LiveClient.JoinAsync(host, Final);
        await using var early2 = await LiveClient.JoinAsync(host, Final);
        Assert.Null(early1.Results);
        Assert.Equal(HttpStatusCode.OK, (await desk.RevealAsync(1)).Status);
        await Eventually.TrueAsync(() => early1.Results?.Shown.Count == 1 && early2.Results?.Shown.Count == 1, "both viewers to see fifth place");
        Assert.Equal((5, projects[4]), (early1.Results!.Shown[0].Place, early1.Results.Shown[0].Project));
        // The same step again (a double click) changes nothing; then fourth to first.
        Assert.Equal(HttpStatusCode.OK, (await desk.RevealAsync(1)).Status);
        for (var step = 2; step <= 5; step++)
        {
            Assert.Equal(HttpStatusCode.OK, (await desk.RevealAsync(step)).Status);
        }
        await Eventually.TrueAsync(() => early1.Results?.Shown.Count == 5 && early2.Results?.Shown.Count == 5, "both viewers to see all five places");
        Assert.Equal([5, 4, 3, 2, 1], early1.Results!.Shown.Select(p => p.Place));
        Assert.Equal(projects[0], early1.Results.Shown[^1].Project);
        Assert.Equal(79.0, early1.Results.Shown[^1].Final, 6);
        await using var later = await LiveClient.JoinAsync(host, Final);
        Assert.Equal(5, later.Snapshot.Results?.Shown.Count);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await desk.RevealAsync(6)).Status);
        // The winner's project page shows its place, and the regional round it advanced from.
        var projectPage = WebUtility.HtmlDecode(await host.Browser("en").GetStringAsync($"/projects/{projects[0]}"));
        Assert.Contains("Final: place 1, 79.00 points", projectPage);
        var regional = catalog.SessionsOf(Contest).Single(s => s.Slug != Final && s.RunningOrder.Contains(projects[0]));
        Assert.Contains($"href=\"/sessions/{regional.Slug}\"", projectPage);
        Assert.DoesNotContain("Final: place", WebUtility.HtmlDecode(await host.Browser("en").GetStringAsync($"/projects/{projects[9]}")));
        // The watch page shows them too, in the reader's language.
        var page = await host.Browser("zh-CN").GetStringAsync($"/sessions/{Final}");
        Assert.Contains("比赛结果", page);
        Assert.Contains(WebUtility.HtmlEncode(catalog.FindProject(projects[0])!.Title.Zh), page);
    }
}
