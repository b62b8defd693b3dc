using Events.Silo.Live;
using Events.Silo.Store;
using Events.Silo.Voting;

namespace Events.Silo.Tests;

/// <summary>Contest ballots: up to N distinct projects a ballot, final once cast, and a window kept by the server's clock.</summary>
public sealed class BallotTests
{
    private static readonly BallotOption[] Projects =
    [
        new("SoilSense", "soil-sense"), new("MedLink", "med-link"), new("Photon Needle", "micro-lidar-chip"),
        new("GridNest", "grid-nest"), new("Tidewise", "tidewise"),
    ];

    private static async Task<RoundView> OpenAsync(LiveCluster t, int maxChoices = 3, int? windowSeconds = null, bool showTally = true)
    {
        var opened = await t.Session("s1").OpenBallotAsync(LiveCluster.Organizer,
            new BallotRequest("Audience Choice Award", Projects, showTally, false, maxChoices, windowSeconds, "cmd-" + Guid.NewGuid().ToString("N")));
        Assert.True(opened.IsOk, opened.Error?.Message);
        return opened.Value!;
    }

    [Fact]
    public async Task A_ballot_of_up_to_three_distinct_projects_counts_once_per_project_and_bad_ballots_record_nothing()
    {
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t);
        Assert.Equal(3, round.MaxChoices);
        Assert.Equal(["soil-sense", "med-link", "micro-lidar-chip", "grid-nest", "tidewise"], round.Options.Select(o => o.Project));
        var grain = t.Round(round.RoundId);

        // Refused, each with its own code, and nothing written.
        Assert.Equal("too_many_choices", (await grain.CastBallotAsync(LiveCluster.Member("m0"), ["a", "b", "c", "d"], "x1")).Error?.Code);
        Assert.Equal("repeated_choice", (await grain.CastBallotAsync(LiveCluster.Member("m0"), ["a", "b", "a"], "x2")).Error?.Code);
        Assert.Equal("invalid_option", (await grain.CastBallotAsync(LiveCluster.Member("m0"), ["a", "z"], "x3")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.CastBallotAsync(LiveCluster.Member("m0"), [], "x4")).Error?.Code);
        Assert.Equal("unauthenticated", (await grain.CastBallotAsync(Caller.Anonymous, ["a"], "x5")).Error?.Code);
        Assert.Empty(await t.Store.GetVotesAsync(round.RoundId));

        // Choices in any order are one ballot, stored in the round's option order.
        var first = await grain.CastBallotAsync(LiveCluster.Member("m0"), ["c", "a", "e"], "b0");
        Assert.Equal("accepted", first.Value!.Status);
        Assert.Equal(["a", "c", "e"], first.Value.Choices);
        Assert.Equal("a,c,e", first.Value.OptionId);
        // A retry answers the same; a second ballot is refused with the first one's choices; neither counts again.
        Assert.Equal("accepted", (await grain.CastBallotAsync(LiveCluster.Member("m0"), ["c", "a", "e"], "b0")).Value!.Status);
        var second = await grain.CastBallotAsync(LiveCluster.Member("m0"), ["b"], "b0-again");
        Assert.Equal("already_voted", second.Value!.Status);
        Assert.Equal(["a", "c", "e"], second.Value.Choices);
        // One choice is a ballot too, and the single-option call casts one.
        Assert.Equal("accepted", (await grain.CastAsync(LiveCluster.Member("m1"), "c", "b1")).Value!.Status);
        Assert.Equal("accepted", (await grain.CastBallotAsync(LiveCluster.Member("m2"), ["b", "c"], "b2")).Value!.Status);

        var view = (await grain.ViewAsync())!;
        Assert.Equal(3, view.TotalVotes);
        Assert.Equal([1L, 1, 3, 0, 1], view.Options.Select(o => o.Votes!.Value));
        var recount = await t.Store.GetTallyAsync(round.RoundId);
        Assert.Equal(3, recount.Ballots);
        Assert.All(view.Options, o => Assert.Equal(recount.Options.GetValueOrDefault(o.Id), o.Votes));
        // The session's view follows within a quarter tick.
        await Eventually.TrueAsync(async () => (await t.Session("s1").PeekAsync(Caller.Anonymous)).Rounds.Single().TotalVotes == 3, "the session to show 3 ballots");
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_storm_of_multi_choice_ballots_with_retries_and_second_ballots_ends_equal_to_the_recount()
    {
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t);
        const int voters = 400;
        var casts = new List<Task<Outcome<VoteAck>>>();
        for (var v = 0; v < voters; v++)
        {
            var voter = LiveCluster.Member("v" + v);
            string[] all = [((char)('a' + v % 5)).ToString(), ((char)('a' + (v + 1) % 5)).ToString(), ((char)('a' + (v + 3) % 5)).ToString()];
            var choices = all[..(1 + v % 3)];
            var node = v % 2;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                casts.Add(Task.Run(() => t.Round(round.RoundId, node).CastBallotAsync(voter, choices, "first-" + voter.UserId)));
            }
            casts.Add(Task.Run(() => t.Round(round.RoundId, 1 - node).CastBallotAsync(voter, ["a"], "second-" + voter.UserId)));
        }
        var results = await Task.WhenAll(casts);
        Assert.All(results, r => Assert.True(r.IsOk, r.Error?.Message));
        var closed = await t.Round(round.RoundId).CloseAsync(LiveCluster.Organizer);
        var stored = await t.Store.GetVotesAsync(round.RoundId);
        Assert.Equal(voters, stored.Count);
        Assert.Equal(voters, closed.Value!.TotalVotes);
        foreach (var option in closed.Value.Options)
        {
            Assert.Equal(stored.Count(s => Choices.Split(s.OptionId).Contains(option.Id)), option.Votes);
        }
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_round_with_a_window_refuses_ballots_after_it_by_the_server_clock_and_closes_itself()
    {
        var clock = new MovableClock();
        var t = await LiveCluster.StartAsync(clocks: _ => clock);
        var round = await OpenAsync(t, maxChoices: 1, windowSeconds: 60, showTally: false);
        Assert.Equal(round.OpenedAt + 60_000, round.ClosesAt);
        var relay = t.Relay();
        await using var beat = await relay.KeepReportingAsync(t.Session("s1"), 1, TimeSpan.FromMilliseconds(200));
        Assert.Equal("accepted", (await t.Round(round.RoundId).CastAsync(LiveCluster.Member("early"), "a", "e1")).Value!.Status);

        // The window ends: a ballot arriving now is refused at once, even before the close is written.
        clock.Move(TimeSpan.FromSeconds(61));
        Assert.Equal("round_closed", (await t.Round(round.RoundId, 1).CastAsync(LiveCluster.Member("late"), "b", "l1")).Error?.Code);
        var closed = await relay.WaitForAsync(u => u.Rounds?.Any(r => r.RoundId == round.RoundId && r.Status == "closed") == true, "the round to close by itself");
        var view = closed.Rounds!.Single(r => r.RoundId == round.RoundId);
        Assert.Equal(round.ClosesAt, view.ClosedAt);
        Assert.Equal(1, view.TotalVotes);
        Assert.Equal(1, view.Options.Single(o => o.Id == "a").Votes);
        Assert.Single(await t.Store.GetVotesAsync(round.RoundId));
        Assert.Equal("Closed", (await t.Store.GetRoundAsync(round.RoundId))!.Status.ToString());
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Opening_refuses_choices_beyond_the_options_and_windows_outside_half_a_minute_to_a_day()
    {
        var t = await LiveCluster.StartAsync();
        async Task<string?> Open(int most, int? window) => (await t.Session("s1").OpenBallotAsync(LiveCluster.Organizer,
            new BallotRequest("Q", Projects, true, false, most, window, "c-" + Guid.NewGuid().ToString("N")))).Error?.Message;
        Assert.Contains("maxChoices", await Open(0, null));
        Assert.Contains("maxChoices", await Open(6, null));
        Assert.Contains("windowSeconds", await Open(1, 29));
        Assert.Contains("windowSeconds", await Open(1, 86_401));
        Assert.Null(await Open(5, 86_400));
        Assert.Equal("forbidden", (await t.Session("s1").OpenBallotAsync(LiveCluster.Member("m"),
            new BallotRequest("Q", Projects, true, false, 1, null, "c-x"))).Error?.Code);
        await t.DisposeAndDeleteAsync();
    }

    /// <summary>The events' clock, which a test moves forward.</summary>
    private sealed class MovableClock : EventClock
    {
        private long offsetTicks;

        public void Move(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));
    }

    [Fact]
    public async Task Voided_ballots_leave_the_tally_and_their_voters_are_told_so_also_after_a_reactivation()
    {
        var t = await LiveCluster.StartAsync();
        var round = await OpenAsync(t);
        var grain = t.Round(round.RoundId);
        foreach (var (voter, ballot) in new[] { ("m1", new[] { "a", "b" }), ("m2", new[] { "a" }), ("m3", new[] { "c" }) })
        {
            Assert.Equal("accepted", (await grain.CastBallotAsync(LiveCluster.Member(voter), ballot, "b-" + voter)).Value?.Status);
        }
        Assert.Equal("forbidden", (await grain.VoidAsync(LiveCluster.Member("m1"), ["m2"], "mine")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.VoidAsync(LiveCluster.Organizer, ["m2"], " ")).Error?.Code);
        Assert.Equal(2, (await grain.VoidAsync(LiveCluster.Organizer, ["m1", "m2", "nobody"], "same device")).Value);
        var view = (await grain.ViewAsync())!;
        Assert.Equal(1, view.TotalVotes);
        Assert.Equal([0L, 0, 1, 0, 0], view.Options.Select(o => o.Votes!.Value));
        Assert.Equal("ballot_voided", (await grain.CastBallotAsync(LiveCluster.Member("m1"), ["d"], "again")).Error?.Code);

        await t.Cluster.DeactivateAsync(grain);
        var again = t.Round(round.RoundId, 1);
        Assert.Equal("ballot_voided", (await again.CastBallotAsync(LiveCluster.Member("m2"), ["e"], "again")).Error?.Code);
        Assert.Equal(1, (await again.ViewAsync())!.TotalVotes);
        var recount = await t.Store.GetTallyAsync(round.RoundId);
        Assert.Equal((1L, 1L), (recount.Ballots, recount.Options["c"]));
    }
}
