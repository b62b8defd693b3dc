using Events.Silo.Live;
using Events.Silo.Voting;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Events.Silo.Tests;

/// <summary>A node's vote intake: many votes, few grain calls, and the same answers as one vote at a time.</summary>
public sealed class VoteIntakeTests
{
    private static async Task<RoundView> OpenAsync(LiveCluster t, int node = 0)
    {
        var opened = await t.Session("s1", node).OpenRoundAsync(LiveCluster.Organizer, "Best project?", ["Alpha", "Beta", "Gamma"], true, false, "cmd-" + Guid.NewGuid().ToString("N"));
        Assert.True(opened.IsOk, opened.Error?.Message);
        return opened.Value!;
    }

    private static string OptionOf(int voter) => ((char)('a' + voter % 3)).ToString();

    [Fact]
    public async Task A_storm_through_both_nodes_intakes_counts_each_voter_once_in_far_fewer_grain_calls()
    {
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t);
        const int voters = 1500;
        // Each voter casts from one node, retries the same vote from the other, and changes their mind on the first.
        var casts = Enumerable.Range(0, voters).SelectMany(v => new[]
        {
            (Voter: v, Client: "first-" + v, Task: t.Intake(v % 2).CastAsync(round.RoundId, LiveCluster.Member("v" + v), OptionOf(v), "first-" + v)),
            (Voter: v, Client: "first-" + v, Task: t.Intake((v + 1) % 2).CastAsync(round.RoundId, LiveCluster.Member("v" + v), OptionOf(v), "first-" + v)),
            (Voter: v, Client: "second-" + v, Task: t.Intake(v % 2).CastAsync(round.RoundId, LiveCluster.Member("v" + v), "a", "second-" + v)),
        }).ToArray();
        await Task.WhenAll(casts.Select(c => c.Task));

        foreach (var byVoter in casts.GroupBy(c => c.Voter))
        {
            var answers = byVoter.Select(c => (c.Client, Ack: c.Task.Result)).ToArray();
            Assert.All(answers, a => Assert.True(a.Ack.IsOk, a.Ack.Error?.Message));
            var accepted = answers.Where(a => a.Ack.Value!.Status == "accepted").Select(a => a.Client).Distinct().ToArray();
            Assert.Single(accepted);
            Assert.All(answers.Where(a => a.Client != accepted[0]), a => Assert.Equal("already_voted", a.Ack.Value!.Status));
            Assert.Single(answers.Select(a => a.Ack.Value!.OptionId).Distinct());
        }
        var stored = await t.Store.GetVotesAsync(round.RoundId);
        Assert.Equal(voters, stored.Count);
        var view = (await t.Round(round.RoundId).ViewAsync())!;
        foreach (var option in view.Options)
        {
            Assert.Equal(stored.Count(s => s.OptionId == option.Id), option.Votes);
        }
        // 4,500 votes reached the round in batches, not one call each.
        var calls = t.Calls.Started(nameof(IVoteRoundGrain.CastManyAsync));
        Assert.InRange(calls, 2, 4500 / 20);
        Assert.Equal(0, t.Calls.Started(nameof(IVoteRoundGrain.CastAsync)));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Refusals_come_back_per_vote_from_a_batch()
    {
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t);
        var intake = t.Intake();
        var good = intake.CastAsync(round.RoundId, LiveCluster.Member("v1"), "b", "g1");
        var badOption = intake.CastAsync(round.RoundId, LiveCluster.Member("v2"), "z", "b1");
        var anonymous = intake.CastAsync(round.RoundId, Caller.Anonymous, "a", "n1");
        var unknown = intake.CastAsync("no-such-round", LiveCluster.Member("v3"), "a", "u1");
        Assert.Equal("accepted", (await good).Value?.Status);
        Assert.Equal("invalid_option", (await badOption).Error?.Code);
        Assert.Equal("unauthenticated", (await anonymous).Error?.Code);
        Assert.Equal("unknown_round", (await unknown).Error?.Code);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_batch_lost_with_the_round_s_node_answers_each_vote_try_again_and_the_retries_count_once()
    {
        FlakyStore? flaky = null;
        var t = await LiveCluster.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var victim = t.Nodes[1];
        RequestContext.Set(IPlacementDirector.PlacementHintKey, victim.SiloAddress);
        var round = await OpenAsync(t);
        RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        Assert.Equal(victim.SiloAddress, t.HostOf(t.Round(round.RoundId)));

        // The round's commit is held at the store; the survivor's batch waits for its answer when the round's node dies.
        flaky!.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var intake = t.Intake(0);
        var first = Enumerable.Range(0, 200).Select(v => intake.CastAsync(round.RoundId, LiveCluster.Member("v" + v), OptionOf(v), "id" + v)).ToArray();
        await Eventually.TrueAsync(() => flaky.VoteBatches > 0, "the batch to reach the store");
        await t.Cluster.KillSiloAsync(victim);
        var answers = await Task.WhenAll(first);
        Assert.All(answers, a => Assert.Equal("try_again", a.Error?.Code));
        // The dead node's commit goes through after all (its reply is what was lost).
        flaky.Hold.SetResult();

        var retried = await Task.WhenAll(Enumerable.Range(0, 200).Select(async v =>
        {
            var deadline = Environment.TickCount64 + 40_000;
            while (true)
            {
                var result = await intake.CastAsync(round.RoundId, LiveCluster.Member("v" + v), OptionOf(v), "id" + v);
                if (result.IsOk || result.Error!.Code != "try_again" || Environment.TickCount64 > deadline)
                {
                    return result;
                }
                await Task.Delay(200);
            }
        }));
        Assert.All(retried, r => Assert.Equal("accepted", r.Value?.Status));
        Assert.Equal(t.Nodes[0].SiloAddress, t.HostOf(t.Round(round.RoundId)));
        var stored = await t.Store.GetVotesAsync(round.RoundId);
        Assert.Equal(200, stored.Count);
        var view = (await t.Round(round.RoundId).ViewAsync())!;
        Assert.Equal(200, view.TotalVotes);
        foreach (var option in view.Options)
        {
            Assert.Equal(stored.Count(s => s.OptionId == option.Id), option.Votes);
        }
        await t.DisposeAndDeleteAsync();
    }
}
