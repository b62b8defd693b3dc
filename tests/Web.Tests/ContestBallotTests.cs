using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Content;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

/// <summary>An audience vote of the contest final over the real hub: its options are the final's running order from the content.</summary>
public sealed class ContestBallotTests
{
    private const string Final = "contest-final";

    [Fact]
    public async Task An_organizer_opens_a_three_vote_ballot_from_the_running_order_and_members_cast_ballots_that_count_once()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var org = await LiveClient.JoinAsync(host, Final, organizer.Token);

        var refused = await org.InvokeAsync<RoundView>("OpenRound", Final, new OpenRoundRequest("Audience Choice", ["A", "B"], true, false, "bad-1", MaxChoices: 3, FromRunningOrder: true));
        Assert.Equal("invalid_argument", refused.Error?.Code);
        Assert.Contains("'options'", refused.Error!.Message);
        var noOrder = await org.InvokeAsync<RoundView>("OpenRound", "forum-2026-12-open-source", new OpenRoundRequest("Which?", [], true, false, "bad-2", FromRunningOrder: true));
        Assert.Equal("invalid_argument", noOrder.Error?.Code);
        Assert.Contains("'fromRunningOrder'", noOrder.Error!.Message);
        Assert.Equal("invalid_argument", (await org.InvokeAsync<RoundView>("OpenRound", Final, new OpenRoundRequest("Too many", null, true, false, "bad-3", MaxChoices: 21, FromRunningOrder: true))).Error?.Code);

        var opened = await org.InvokeAsync<RoundView>("OpenRound", Final, new OpenRoundRequest("Audience Choice Award", null, true, false, "open-1", MaxChoices: 3, WindowSeconds: 600, FromRunningOrder: true));
        Assert.True(opened.Ok, opened.Error?.Message);
        var round = opened.Value!;
        var catalog = host.Services.GetRequiredService<ContentStore>().Current;
        var order = catalog.FindSession(Final)!.RunningOrder;
        Assert.Equal(20, order.Count);
        Assert.Equal(order, round.Options.Select(o => o.Project));
        Assert.Equal(order.Select(slug => catalog.FindProject(slug)!.Title.En), round.Options.Select(o => o.Label));
        Assert.Equal(3, round.MaxChoices);
        Assert.Equal(round.OpenedAt + 600_000, round.ClosesAt);

        var member = await host.CreateAccountAsync("voter");
        await using var voter = await LiveClient.JoinAsync(host, Final, member.Token);
        Assert.Equal("too_many_choices", (await voter.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { "a", "b", "c", "d" }, "b-0")).Error?.Code);
        Assert.Equal("repeated_choice", (await voter.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { "a", "a" }, "b-0")).Error?.Code);
        Assert.Equal("invalid_option", (await voter.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { "a", "" }, "b-0")).Error?.Code);
        Assert.Equal("invalid_argument", (await voter.InvokeAsync<VoteAck>("CastBallot", round.RoundId, Array.Empty<string>(), "b-0")).Error?.Code);

        var cast = await voter.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { "e", "a", "c" }, "b-1");
        Assert.Equal("accepted", cast.Value?.Status);
        Assert.Equal(["a", "c", "e"], cast.Value!.Choices);
        var again = await voter.InvokeAsync<VoteAck>("CastVote", round.RoundId, "b", "b-2");
        Assert.Equal("already_voted", again.Value?.Status);
        Assert.Equal("a,c,e", again.Value!.OptionId);

        await Eventually.TrueAsync(() => org.Round(round.RoundId)?.TotalVotes == 1, "viewers to see one ballot");
        Assert.Equal([1L, 0, 1, 0, 1], org.Round(round.RoundId)!.Options.Take(5).Select(o => o.Votes!.Value));
        // The page shows each project's title in the reader's language (the option's stored label is the English one).
        var first = catalog.FindProject(order[0])!;
        Assert.NotEqual(first.Title.En, first.Title.Zh);
        var zhPage = await host.Browser("zh-CN").GetStringAsync($"/sessions/{Final}");
        Assert.Contains(System.Net.WebUtility.HtmlEncode(first.Title.Zh), zhPage);
        Assert.DoesNotContain(System.Net.WebUtility.HtmlEncode(first.Title.En), zhPage);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(first.Title.En), await host.Browser("en").GetStringAsync($"/sessions/{Final}"));
        // The voter's own ballot comes back with the snapshot, on any device.
        await using var otherDevice = await LiveClient.JoinAsync(host, Final, member.Token);
        Assert.Equal("a,c,e", otherDevice.Snapshot.You.Votes[round.RoundId]);
    }
}

/// <summary>A storm of "three votes each" ballots over real hub connections, with retries, second thoughts, bad ballots and latecomers.</summary>
public sealed class ContestBallotStormTests
{
    private const string Final = "contest-final";

    [Fact]
    public async Task A_storm_of_three_choice_ballots_with_retries_and_late_votes_ends_with_the_tally_equal_to_the_recount_and_each_voter_once()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var org = await LiveClient.JoinAsync(host, Final, organizer.Token);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Final, new OpenRoundRequest("Audience Choice Award", null, true, false, "storm", MaxChoices: 3, FromRunningOrder: true))).Value!;
        var ids = round.Options.Select(o => o.Id).ToArray();
        const int voters = 120;
        var accounts = new List<Account>();
        for (var i = 0; i < voters + 10; i++)
        {
            accounts.Add(await host.CreateAccountAsync("storm"));
        }
        var clients = new List<LiveClient>();
        foreach (var a in accounts)
        {
            clients.Add(await LiveClient.JoinAsync(host, Final, a.Token));
        }
        try
        {
            // Voter i's ballot: three distinct projects from i on; sent twice at once (a double tap), retried, then changed.
            string[] BallotOf(int i) => [ids[i % 20], ids[(i + 7) % 20], ids[(i + 13) % 20]];
            var wrong = new System.Collections.Concurrent.ConcurrentBag<string>();
            await Task.WhenAll(Enumerable.Range(0, voters).Select(async i =>
            {
                var c = clients[i];
                if (i % 10 == 0)
                {
                    var bad = await c.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { ids[0], ids[0] }, "bad-" + i);
                    if (bad.Error?.Code != "repeated_choice") wrong.Add($"{i}: repeated {bad.Error?.Code}");
                }
                var twice = await Task.WhenAll(
                    c.InvokeAsync<VoteAck>("CastBallot", round.RoundId, BallotOf(i), "b-" + i),
                    c.InvokeAsync<VoteAck>("CastBallot", round.RoundId, BallotOf(i), "b-" + i));
                var retry = await c.InvokeAsync<VoteAck>("CastBallot", round.RoundId, BallotOf(i), "b-" + i);
                var changed = await c.InvokeAsync<VoteAck>("CastBallot", round.RoundId, BallotOf(i + 1), "other-" + i);
                var expected = string.Join(',', ids.Where(BallotOf(i).Contains));
                foreach (var ack in twice.Append(retry))
                {
                    if (ack.Value is not { Status: "accepted" } v || v.OptionId != expected) wrong.Add($"{i}: {ack.Value?.Status ?? ack.Error?.Code} {ack.Value?.OptionId}");
                }
                if (changed.Value is not { Status: "already_voted" } ch || ch.OptionId != expected) wrong.Add($"{i}: change {changed.Value?.Status ?? changed.Error?.Code}");
            }));
            Assert.Empty(wrong);
            var closed = await org.InvokeAsync<RoundView>("CloseRound", round.RoundId);
            Assert.True(closed.Ok);

            // Latecomers, whose page still shows the round open, are refused; nothing is written for them.
            foreach (var late in clients.Skip(voters))
            {
                Assert.Equal("round_closed", (await late.InvokeAsync<VoteAck>("CastBallot", round.RoundId, BallotOf(3), "late")).Error?.Code);
            }
            var recount = await host.Store().GetTallyAsync(round.RoundId);
            Assert.Equal(voters, recount.Ballots);
            Assert.Equal(voters, (await host.Store().GetVotesAsync(round.RoundId)).Select(v => v.VoterId).Distinct().Count());
            var expectedCounts = ids.Select(id => (long)Enumerable.Range(0, voters).Count(i => BallotOf(i).Contains(id))).ToArray();
            Assert.Equal(expectedCounts, ids.Select(id => recount.Options.GetValueOrDefault(id)));
            Assert.Equal(voters, closed.Value!.TotalVotes);
            Assert.Equal(expectedCounts, closed.Value.Options.Select(o => o.Votes!.Value));
            await Eventually.TrueAsync(() => clients.All(c => c.Round(round.RoundId) is { Status: "closed", TotalVotes: voters }), "every voter to see the final tally");
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }
}
