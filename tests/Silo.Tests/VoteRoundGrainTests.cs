using Events.Silo.Live;
using Events.Silo.Store;

namespace Events.Silo.Tests;

public sealed class VoteRoundGrainTests
{
    private static async Task<RoundView> OpenAsync(TestEngine t, string session = "s1", bool showTally = true, bool verifiedOnly = false)
    {
        var opened = await t.Engine.Sessions.CallAsync(session, g => g.OpenRoundAsync(TestEngine.Organizer, "Best project?", ["Alpha", "Beta", "Gamma"], showTally, verifiedOnly, "cmd-" + Guid.NewGuid().ToString("N")));
        Assert.True(opened.IsOk, opened.Error?.Message);
        return opened.Value!;
    }

    [Fact]
    public async Task Concurrent_votes_with_retries_and_changes_of_mind_count_each_voter_once()
    {
        var t = await TestEngine.StartAsync();
        var round = await OpenAsync(t);
        const int voters = 300;
        var casts = new List<Task<(int Voter, string Client, Outcome<VoteAck> Result)>>();
        for (var v = 0; v < voters; v++)
        {
            var voter = v;
            var option = ((char)('a' + voter % 3)).ToString();
            // The same vote three times (a client retrying), plus a second vote for another option.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                casts.Add(Cast(t, round.RoundId, voter, option, "first-" + voter));
            }
            casts.Add(Cast(t, round.RoundId, voter, "a", "second-" + voter));
        }
        var results = await Task.WhenAll(casts);

        Assert.All(results, r => Assert.True(r.Result.IsOk, r.Result.Error?.Message));
        foreach (var byVoter in results.GroupBy(r => r.Voter))
        {
            var countedOption = byVoter.Select(r => r.Result.Value!.OptionId).Distinct().Single();
            var accepted = byVoter.Where(r => r.Result.Value!.Status == "accepted").Select(r => r.Client).Distinct().ToArray();
            // Exactly one of the voter's two votes is the counted one, and every retry of it says so.
            Assert.Single(accepted);
            Assert.All(byVoter.Where(r => r.Client != accepted[0]), r => Assert.Equal("already_voted", r.Result.Value!.Status));
            Assert.Equal(countedOption, byVoter.First(r => r.Client == accepted[0]).Result.Value!.OptionId);
        }

        var stored = await t.Store.GetVotesAsync(round.RoundId);
        Assert.Equal(voters, stored.Count);
        var view = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.ViewAsync());
        Assert.Equal(voters, view!.TotalVotes);
        foreach (var option in view.Options)
        {
            Assert.Equal(stored.Count(s => s.OptionId == option.Id), option.Votes);
        }
        await t.DisposeAndDeleteAsync();
    }

    private static async Task<(int, string, Outcome<VoteAck>)> Cast(TestEngine t, string roundId, int voter, string option, string client)
    {
        await Task.Yield();
        return (voter, client, await t.Engine.Rounds.CallAsync(roundId, g => g.CastAsync(TestEngine.Member("v" + voter), option, client)));
    }

    [Fact]
    public async Task Votes_are_written_in_batches_not_one_by_one()
    {
        FlakyStore? flaky = null;
        var t = await TestEngine.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var round = await OpenAsync(t);
        // A slow commit: everything that arrives meanwhile must go into the next batches, at most 1,000 rows each.
        flaky!.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var casts = Enumerable.Range(0, 2001).Select(v => Cast(t, round.RoundId, v, "b", "c" + v)).ToArray();
        while (flaky.VoteBatches == 0)
        {
            await Task.Delay(10);
        }
        await Task.Delay(300);
        flaky.Hold.SetResult();
        var results = await Task.WhenAll(casts);
        Assert.All(results, r => Assert.Equal("accepted", r.Item3.Value?.Status));
        Assert.Equal(2001, (await t.Store.GetVotesAsync(round.RoundId)).Count);
        Assert.InRange(flaky.VoteBatches, 3, 6);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Refusals_name_the_reason_and_write_nothing()
    {
        var t = await TestEngine.StartAsync();
        var round = await OpenAsync(t, verifiedOnly: true);
        var grain = await t.Engine.Rounds.GetAsync(round.RoundId);

        Assert.Equal("unauthenticated", (await grain.CastAsync(Caller.Anonymous, "a", "x1")).Error?.Code);
        Assert.Equal("not_eligible", (await grain.CastAsync(TestEngine.Member("plain"), "a", "x2")).Error?.Code);
        Assert.Equal("invalid_option", (await grain.CastAsync(TestEngine.Member("ver", LiveRoles.Verified), "z", "x3")).Error?.Code);
        Assert.Equal("forbidden", (await grain.CloseAsync(TestEngine.Member("plain"))).Error?.Code);
        Assert.Equal("unknown_round", (await t.Engine.Rounds.CallAsync("rnope", g => g.CastAsync(TestEngine.Member("ver", LiveRoles.Verified), "a", "x4"))).Error?.Code);
        Assert.Empty(await t.Store.GetVotesAsync(round.RoundId));

        Assert.True((await grain.CastAsync(TestEngine.Member("ver", LiveRoles.Verified), "c", "x5")).IsOk);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Closing_counts_every_acknowledged_vote_and_refuses_later_ones()
    {
        var t = await TestEngine.StartAsync();
        var round = await OpenAsync(t, showTally: false);
        var settled = await Task.WhenAll(Enumerable.Range(0, 20).Select(v => Cast(t, round.RoundId, v, "a", "c" + v)));
        var before = Enumerable.Range(20, 480).Select(v => Cast(t, round.RoundId, v, "a", "c" + v)).ToArray();
        var hidden = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.ViewAsync());
        Assert.All(hidden!.Options, o => Assert.Null(o.Votes));

        var closed = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CloseAsync(TestEngine.Organizer));
        var results = settled.Concat(await Task.WhenAll(before)).ToArray();
        var accepted = results.Count(r => r.Item3.IsOk);
        Assert.True(closed.IsOk);
        Assert.Equal("closed", closed.Value!.Status);
        // Every vote acknowledged before the close is in the final tally, and only those.
        Assert.Equal(accepted, closed.Value.TotalVotes);
        Assert.Equal(accepted, closed.Value.Options.Single(o => o.Id == "a").Votes);
        Assert.All(results.Where(r => !r.Item3.IsOk), r => Assert.Equal("round_closed", r.Item3.Error!.Code));
        Assert.Equal(accepted, (await t.Store.GetVotesAsync(round.RoundId)).Count);

        var late = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("late"), "a", "late"));
        Assert.Equal("round_closed", late.Error?.Code);
        // A client retrying a vote that was counted still hears "accepted" after the close.
        var countedVoter = settled[0];
        var retry = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v" + countedVoter.Item1), "a", countedVoter.Item2));
        Assert.Equal("accepted", retry.Value?.Status);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_store_outage_answers_try_again_and_the_retry_counts_once()
    {
        FlakyStore? flaky = null;
        var t = await TestEngine.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var round = await OpenAsync(t);
        flaky!.Down = true;
        var during = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v1"), "a", "same"));
        Assert.Equal("try_again", during.Error?.Code);
        Assert.Empty(await t.Store.GetVotesAsync(round.RoundId));

        flaky.Down = false;
        var retry = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v1"), "a", "same"));
        var again = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v1"), "a", "same"));
        Assert.Equal("accepted", retry.Value?.Status);
        Assert.Equal("accepted", again.Value?.Status);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_commit_whose_reply_was_lost_then_retried_counts_once()
    {
        FlakyStore? flaky = null;
        var t = await TestEngine.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var round = await OpenAsync(t);
        flaky!.LoseReplies = true;
        var lost = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v1"), "b", "vote-1"));
        Assert.Equal("try_again", lost.Error?.Code);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId)); // it was committed all the same

        flaky.LoseReplies = false;
        var retry = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v1"), "b", "vote-1"));
        Assert.Equal(("accepted", "b"), (retry.Value?.Status, retry.Value?.OptionId));
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        var view = await t.Engine.Rounds.CallAsync(round.RoundId, g => g.ViewAsync());
        Assert.Equal(1, view!.TotalVotes);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_new_activation_over_the_same_file_knows_every_vote()
    {
        var t = await TestEngine.StartAsync();
        var round = await OpenAsync(t);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(v => Cast(t, round.RoundId, v, "c", "c" + v)));
        await t.DisposeAsync();

        // A restart: a new engine on the same SQLite file.
        var again = await TestEngine.StartAsync(t.Folder);
        var view = await again.Engine.Rounds.CallAsync(round.RoundId, g => g.ViewAsync());
        Assert.Equal(50, view!.Options.Single(o => o.Id == "c").Votes);
        var retry = await again.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v7"), "a", "c7"));
        Assert.Equal(("accepted", "c"), (retry.Value!.Status, retry.Value.OptionId));
        var change = await again.Engine.Rounds.CallAsync(round.RoundId, g => g.CastAsync(TestEngine.Member("v7"), "a", "other"));
        Assert.Equal("already_voted", change.Value!.Status);
        Assert.Equal(50, (await again.Store.GetVotesAsync(round.RoundId)).Count);
        await again.DisposeAndDeleteAsync();
    }
}
