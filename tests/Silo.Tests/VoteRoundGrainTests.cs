using Events.Silo.Live;
using Events.Silo.Store;
using Events.Silo.Voting;

namespace Events.Silo.Tests;

public sealed class VoteRoundGrainTests
{
    private static async Task<RoundView> OpenAsync(LiveCluster t, string session = "s1", bool showTally = true, bool verifiedOnly = false)
    {
        var opened = await t.Session(session).OpenRoundAsync(LiveCluster.Organizer, "Best project?", ["Alpha", "Beta", "Gamma"], showTally, verifiedOnly, "cmd-" + Guid.NewGuid().ToString("N"));
        Assert.True(opened.IsOk, opened.Error?.Message);
        return opened.Value!;
    }

    [Fact]
    public async Task Concurrent_votes_with_retries_and_changes_of_mind_count_each_voter_once()
    {
        var t = await LiveCluster.StartAsync();
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
        var view = await t.Round(round.RoundId).ViewAsync();
        Assert.Equal(voters, view!.TotalVotes);
        foreach (var option in view.Options)
        {
            Assert.Equal(stored.Count(s => s.OptionId == option.Id), option.Votes);
        }
        await t.DisposeAndDeleteAsync();
    }

    private static async Task<(int, string, Outcome<VoteAck>)> Cast(LiveCluster t, string roundId, int voter, string option, string client)
    {
        await Task.Yield();
        return (voter, client, await t.Round(roundId, voter % 2).CastAsync(LiveCluster.Member("v" + voter), option, client));
    }

    [Fact]
    public async Task Votes_are_written_in_batches_not_one_by_one()
    {
        FlakyStore? flaky = null;
        var t = await LiveCluster.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var round = await OpenAsync(t);
        // A slow commit: everything that arrives meanwhile must go into the next batches, at most 1,000 rows each.
        flaky!.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var casts = Enumerable.Range(0, 2001).Select(v => Cast(t, round.RoundId, v, "b", "c" + v)).ToArray();
        // Every vote has reached the grain and is queued (the first batch is held at the store).
        await Eventually.TrueAsync(() => flaky.VoteBatches > 0 && t.Calls.Started(nameof(IVoteRoundGrain.CastAsync)) == 2001, "every vote to be queued");
        Assert.Equal(1, flaky.VoteBatches);
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
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t, verifiedOnly: true);
        var grain = t.Round(round.RoundId);

        Assert.Equal("unauthenticated", (await grain.CastAsync(Caller.Anonymous, "a", "x1")).Error?.Code);
        Assert.Equal("not_eligible", (await grain.CastAsync(LiveCluster.Member("plain"), "a", "x2")).Error?.Code);
        Assert.Equal("invalid_option", (await grain.CastAsync(LiveCluster.Member("ver", LiveRoles.Verified), "z", "x3")).Error?.Code);
        Assert.Equal("forbidden", (await grain.CloseAsync(LiveCluster.Member("plain"))).Error?.Code);
        Assert.Equal("unknown_round", (await t.Round("rnope").CastAsync(LiveCluster.Member("ver", LiveRoles.Verified), "a", "x4")).Error?.Code);
        Assert.Empty(await t.Store.GetVotesAsync(round.RoundId));

        Assert.True((await grain.CastAsync(LiveCluster.Member("ver", LiveRoles.Verified), "c", "x5")).IsOk);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Closing_counts_every_acknowledged_vote_and_refuses_later_ones()
    {
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t, showTally: false);
        var settled = await Task.WhenAll(Enumerable.Range(0, 20).Select(v => Cast(t, round.RoundId, v, "a", "c" + v)));
        var before = Enumerable.Range(20, 480).Select(v => Cast(t, round.RoundId, v, "a", "c" + v)).ToArray();
        var hidden = await t.Round(round.RoundId).ViewAsync();
        Assert.All(hidden!.Options, o => Assert.Null(o.Votes));

        var closed = await t.Round(round.RoundId).CloseAsync(LiveCluster.Organizer);
        var results = settled.Concat(await Task.WhenAll(before)).ToArray();
        var accepted = results.Count(r => r.Item3.IsOk);
        Assert.True(closed.IsOk);
        Assert.Equal("closed", closed.Value!.Status);
        // Every vote acknowledged before the close is in the final tally, and only those.
        Assert.Equal(accepted, closed.Value.TotalVotes);
        Assert.Equal(accepted, closed.Value.Options.Single(o => o.Id == "a").Votes);
        Assert.All(results.Where(r => !r.Item3.IsOk), r => Assert.Equal("round_closed", r.Item3.Error!.Code));
        Assert.Equal(accepted, (await t.Store.GetVotesAsync(round.RoundId)).Count);

        var late = await t.Round(round.RoundId).CastAsync(LiveCluster.Member("late"), "a", "late");
        Assert.Equal("round_closed", late.Error?.Code);
        // A client retrying a vote that was counted still hears "accepted" after the close.
        var countedVoter = settled[0];
        var retry = await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v" + countedVoter.Item1), "a", countedVoter.Item2);
        Assert.Equal("accepted", retry.Value?.Status);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_store_outage_answers_try_again_and_the_retry_counts_once()
    {
        FlakyStore? flaky = null;
        var t = await LiveCluster.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var round = await OpenAsync(t);
        flaky!.Down = true;
        var during = await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v1"), "a", "same");
        Assert.Equal("try_again", during.Error?.Code);
        Assert.Empty(await t.Store.GetVotesAsync(round.RoundId));

        flaky.Down = false;
        var retry = await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v1"), "a", "same");
        var again = await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v1"), "a", "same");
        Assert.Equal("accepted", retry.Value?.Status);
        Assert.Equal("accepted", again.Value?.Status);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_commit_whose_reply_was_lost_then_retried_counts_once()
    {
        FlakyStore? flaky = null;
        var t = await LiveCluster.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var round = await OpenAsync(t);
        flaky!.LoseReplies = true;
        var lost = await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v1"), "b", "vote-1");
        Assert.Equal("try_again", lost.Error?.Code);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId)); // it was committed all the same

        flaky.LoseReplies = false;
        var retry = await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v1"), "b", "vote-1");
        Assert.Equal(("accepted", "b"), (retry.Value?.Status, retry.Value?.OptionId));
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        var view = await t.Round(round.RoundId).ViewAsync();
        Assert.Equal(1, view!.TotalVotes);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_new_activation_over_the_same_file_knows_every_vote()
    {
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(v => Cast(t, round.RoundId, v, "c", "c" + v)));
        await t.DisposeAsync();

        // A restart: a new engine on the same SQLite file.
        var again = await LiveCluster.StartAsync(t.Folder);
        var view = await again.Round(round.RoundId).ViewAsync();
        Assert.Equal(50, view!.Options.Single(o => o.Id == "c").Votes);
        var retry = await again.Round(round.RoundId).CastAsync(LiveCluster.Member("v7"), "a", "c7");
        Assert.Equal(("accepted", "c"), (retry.Value!.Status, retry.Value.OptionId));
        var change = await again.Round(round.RoundId).CastAsync(LiveCluster.Member("v7"), "a", "other");
        Assert.Equal("already_voted", change.Value!.Status);
        Assert.Equal(50, (await again.Store.GetVotesAsync(round.RoundId)).Count);
        await again.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_failed_tally_read_after_a_lost_reply_answers_try_again_holds_back_no_other_vote_and_the_retry_counts_once()
    {
        FlakyStore? flaky = null;
        var t = await LiveCluster.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var relay = t.Relay(1);
        await using var beat = await relay.KeepReportingAsync(t.Session("s1", 1), 1);
        var round = await OpenAsync(t);
        var grain = t.Round(round.RoundId);
        Assert.Equal("accepted", (await grain.CastAsync(LiveCluster.Member("v0"), "a", "id0")).Value?.Status);

        // v1's vote is committed but its reply is lost: the voter hears "try again".
        flaky!.LoseReplies = true;
        Assert.Equal("try_again", (await grain.CastAsync(LiveCluster.Member("v1"), "b", "id1")).Error?.Code);
        flaky.LoseReplies = false;

        // The retry finds the vote stored but not counted here, so the tally must be read again; the database stops answering reads.
        flaky.ReadsDown = true;
        Assert.Equal("try_again", (await grain.CastAsync(LiveCluster.Member("v1"), "b", "id1")).Error?.Code);
        Assert.True(Volatile.Read(ref flaky.FailedReads) > 0);
        // Another voter's vote needs no read and goes through meanwhile.
        Assert.Equal("accepted", (await t.Round(round.RoundId, 1).CastAsync(LiveCluster.Member("v2"), "c", "id2")).Value?.Status);

        flaky.ReadsDown = false;
        var retry = await grain.CastAsync(LiveCluster.Member("v1"), "b", "id1");
        Assert.Equal(("accepted", "b"), (retry.Value?.Status, retry.Value?.OptionId));
        var stored = await t.Store.GetVotesAsync(round.RoundId);
        Assert.Equal(3, stored.Count);
        var view = (await grain.ViewAsync())!;
        Assert.Equal(3, view.TotalVotes);
        Assert.All(view.Options, o => Assert.Equal(stored.Count(v => v.OptionId == o.Id), o.Votes));
        await relay.WaitForAsync(u => u.Rounds?.Any(r => r.RoundId == round.RoundId && r.TotalVotes == 3) == true, "viewers to see the three votes");
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Ending_the_session_closes_its_open_rounds_counting_every_acknowledged_vote_and_refusing_later_ones()
    {
        var t = await LiveCluster.StartAsync();
        var session = t.Session("s1");
        var relay = t.Relay(1);
        await using var beat = await relay.KeepReportingAsync(t.Session("s1", 1), 1);
        var round = await OpenAsync(t, showTally: false);
        var other = await OpenAsync(t);
        var settled = await Task.WhenAll(Enumerable.Range(0, 20).Select(v => Cast(t, round.RoundId, v, v % 2 == 0 ? "a" : "b", "c" + v)));
        Assert.All(settled, r => Assert.Equal("accepted", r.Item3.Value?.Status));
        Assert.Equal("accepted", (await t.Round(other.RoundId).CastAsync(LiveCluster.Member("v0"), "c", "o0")).Value?.Status);

        // A storm of votes while the organizer ends the session.
        var storm = Enumerable.Range(20, 400).Select(v => Cast(t, round.RoundId, v, v % 3 == 0 ? "c" : "a", "c" + v)).ToArray();
        Assert.Equal("forbidden", (await session.SetStatusAsync(LiveCluster.Moderator, SessionStatus.Ended)).Error?.Code);
        Assert.Equal("accepted", (await t.Round(other.RoundId).CastAsync(LiveCluster.Member("v1"), "a", "o1")).Value?.Status);
        var ended = await session.SetStatusAsync(LiveCluster.Organizer, SessionStatus.Ended);
        Assert.True(ended.IsOk, ended.Error?.Message);
        // From the moment the end is acknowledged, whoever joins sees the session over and its rounds closed.
        var atEnd = await t.Session("s1", 1).PeekAsync(Caller.Anonymous);
        Assert.Equal("ended", atEnd.Settings.Status);
        Assert.Equal(["closed", "closed"], atEnd.Rounds.Select(r => r.Status));
        Assert.Equal(2, atEnd.Rounds.Single(r => r.RoundId == other.RoundId).TotalVotes);
        var results = settled.Concat(await Task.WhenAll(storm)).ToArray();
        Assert.All(results.Where(r => !r.Item3.IsOk), r => Assert.Equal("round_closed", r.Item3.Error!.Code));
        var acknowledged = results.Where(r => r.Item3.IsOk).ToArray();
        Assert.All(acknowledged, r => Assert.Equal("accepted", r.Item3.Value!.Status));

        var late = await t.Round(round.RoundId, 1).CastAsync(LiveCluster.Member("late"), "a", "late");
        Assert.Equal("round_closed", late.Error?.Code);
        Assert.Equal("round_closed", (await t.Round(other.RoundId).CastAsync(LiveCluster.Member("late"), "a", "late")).Error?.Code);

        // The closed tally holds exactly the acknowledged votes and equals a recount of the ballots.
        var stored = await t.Store.GetVotesAsync(round.RoundId);
        Assert.Equal(acknowledged.Select(r => "v" + r.Item1).Order(), stored.Select(v => v.VoterId).Order());
        var closed = (await t.Round(round.RoundId).ViewAsync())!;
        Assert.Equal("closed", closed.Status);
        Assert.NotNull(closed.ClosedAt);
        Assert.Equal(acknowledged.Length, closed.TotalVotes);
        Assert.All(closed.Options, o => Assert.Equal(stored.Count(v => v.OptionId == o.Id), o.Votes));
        Assert.All((await t.Store.GetRoundsAsync("s1")), r => Assert.Equal(RoundStatus.Closed, r.Status));
        Assert.Equal(2, (await t.Round(other.RoundId).ViewAsync())!.TotalVotes);

        // The session is over for everyone, and its viewers see it.
        var snapshot = await t.Session("s1", 1).PeekAsync(Caller.Anonymous);
        Assert.Equal("ended", snapshot.Settings.Status);
        Assert.All(snapshot.Rounds, r => Assert.Equal("closed", r.Status));
        Assert.Equal("session_ended", (await session.PostChatAsync(LiveCluster.Member("m"), "still there?", "x")).Error?.Code);
        Assert.Equal("session_ended", (await session.ReactAsync(LiveCluster.Member("m"), "like")).Error?.Code);
        Assert.Equal("session_ended", (await session.OpenRoundAsync(LiveCluster.Organizer, "Another?", ["A", "B"], true, false, "after-end")).Error?.Code);
        await relay.WaitForAsync(u => u.Settings?.Status == "ended", "the end");
        await relay.WaitUntilAsync(all => all.SelectMany(u => u.Rounds ?? []).LastOrDefault(r => r.RoundId == round.RoundId) is { Status: "closed" } last && last.TotalVotes == acknowledged.Length,
            "the closed round with its tally");
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task The_snapshot_tells_a_signed_in_member_their_own_vote_in_each_round_and_nobody_else()
    {
        var t = await LiveCluster.StartAsync();
        var first = await OpenAsync(t);
        var second = await OpenAsync(t, showTally: false);
        var relay = t.Relay(1);
        Assert.Equal("accepted", (await t.Round(first.RoundId).CastAsync(LiveCluster.Member("v1"), "b", "1")).Value?.Status);
        Assert.Equal("accepted", (await t.Round(second.RoundId, 1).CastAsync(LiveCluster.Member("v1"), "a", "2")).Value?.Status);
        // A change of mind does not count: the first vote stays the member's vote.
        Assert.Equal("already_voted", (await t.Round(first.RoundId).CastAsync(LiveCluster.Member("v1"), "c", "3")).Value?.Status);
        Assert.Equal("accepted", (await t.Round(first.RoundId).CastAsync(LiveCluster.Member("v2"), "c", "4")).Value?.Status);

        var mine = await t.Session("s1", 1).JoinAsync(relay.Report(1), "u:v1", false, LiveCluster.Member("v1"));
        Assert.Equal(new Dictionary<string, string> { [first.RoundId] = "b", [second.RoundId] = "a" }, mine.You.Votes);
        Assert.Equal(new Dictionary<string, string> { [first.RoundId] = "c" }, (await t.Session("s1").PeekAsync(LiveCluster.Member("v2"))).You.Votes);
        Assert.Empty((await t.Session("s1").PeekAsync(LiveCluster.Member("v3"))).You.Votes);
        Assert.Empty((await t.Session("s1", 1).JoinAsync(relay.Report(2), "a:browser", false, Caller.Anonymous)).You.Votes);

        // The same after both the session and its rounds were dropped from memory and read back from the store.
        foreach (var grain in new Orleans.Runtime.IAddressable[] { t.Session("s1"), t.Round(first.RoundId), t.Round(second.RoundId) })
        {
            await t.Cluster.DeactivateAsync(grain);
        }
        var again = await t.Session("s1").PeekAsync(LiveCluster.Member("v1"));
        Assert.Equal(new Dictionary<string, string> { [first.RoundId] = "b", [second.RoundId] = "a" }, again.You.Votes);
        Assert.Empty((await t.Session("s1").PeekAsync(Caller.Anonymous)).You.Votes);
        await t.DisposeAndDeleteAsync();
    }
}
