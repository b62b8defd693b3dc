using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;

namespace Events.Web.Tests;

/// <summary>The session rules that people met as defects: over the real hub, on a real host.</summary>
public sealed class SessionRulesTests
{
    private const string Upcoming = "forum-2026-12-open-source";

    // Ended on 2026-11-28 and never went live in these tests' fresh store.
    private const string Past = "forum-2026-11-public-health-career";

    [Fact]
    public async Task Ending_a_session_closes_its_rounds_and_a_later_vote_is_refused()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var member = await host.CreateAccountAsync("voter");
        var late = await host.CreateAccountAsync("late");
        await using var org = await LiveClient.JoinAsync(host, Upcoming, organizer.Token);
        await using var voter = await LiveClient.JoinAsync(host, Upcoming, member.Token);
        await using var latecomer = await LiveClient.JoinAsync(host, Upcoming, late.Token);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Upcoming, new OpenRoundRequest("Keep going?", ["Yes", "No"], false, false, "end-1"))).Value!;
        Assert.Equal("accepted", (await voter.InvokeAsync<VoteAck>("CastVote", round.RoundId, "a", "v-1")).Value?.Status);

        Assert.True((await org.InvokeAsync<bool>("SetSessionStatus", Upcoming, "ended")).Ok);

        var refused = await latecomer.InvokeAsync<VoteAck>("CastVote", round.RoundId, "b", "v-2");
        Assert.Equal("round_closed", refused.Error?.Code);
        // The round's own notice may reach viewers a tick before the end does: wait for both.
        await Eventually.TrueAsync(() => voter.Round(round.RoundId)?.Status == "closed" && voter.Settings.Status == "ended",
            "viewers to see the round closed and the session ended");
        var closed = voter.Round(round.RoundId)!;
        Assert.Equal(1, closed.TotalVotes);
        Assert.Equal(1, closed.Options.Single(o => o.Id == "a").Votes);
        Assert.Equal("session_ended", (await voter.InvokeAsync<ChatAck>("SendChat", Upcoming, "still here?", "c-1")).Error?.Code);
        Assert.Equal("session_ended", (await org.InvokeAsync<RoundView>("OpenRound", Upcoming, new OpenRoundRequest("Another?", ["Yes", "No"], true, false, "end-2"))).Error?.Code);
    }

    [Fact]
    public async Task A_session_past_its_end_that_never_went_live_is_ended_for_pages_and_hub_alike()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("member");
        await using var client = await LiveClient.JoinAsync(host, Past, member.Token);
        Assert.Equal("ended", client.Snapshot.Settings.Status);
        Assert.Equal("session_ended", (await client.InvokeAsync<ChatAck>("SendChat", Past, "anyone?", "c-1")).Error?.Code);
        var page = await host.Http.GetStringAsync($"/sessions/{Past}");
        Assert.Contains("id=\"state\">Ended<", page);
    }

    [Fact]
    public async Task The_snapshot_shows_the_signed_in_persons_own_votes_and_nobody_elses()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var first = await host.CreateAccountAsync("first");
        var second = await host.CreateAccountAsync("second");
        await using var org = await LiveClient.JoinAsync(host, Upcoming, organizer.Token);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Upcoming, new OpenRoundRequest("Which?", ["A", "B"], true, false, "mine-1"))).Value!;
        await using (var voting = await LiveClient.JoinAsync(host, Upcoming, first.Token))
        {
            Assert.True((await voting.InvokeAsync<VoteAck>("CastVote", round.RoundId, "b", "x-1")).Ok);
        }

        // The first member on a new device (a new connection) sees their vote; others see none.
        await using var again = await LiveClient.JoinAsync(host, Upcoming, first.Token);
        Assert.Equal("b", again.Snapshot.You.Votes[round.RoundId]);
        await using var other = await LiveClient.JoinAsync(host, Upcoming, second.Token);
        Assert.Empty(other.Snapshot.You.Votes);
        await using var anonymous = await LiveClient.JoinAsync(host, Upcoming);
        Assert.Empty(anonymous.Snapshot.You.Votes);
    }

    [Fact]
    public async Task Moderators_list_mutes_and_bans_with_names_and_lift_them()
    {
        await using var host = await LiveHost.StartAsync();
        var moderator = await host.CreateAccountAsync("mod", Roles.Moderator);
        var loud = await host.CreateAccountAsync("loud");
        var rude = await host.CreateAccountAsync("rude");
        await using var mod = await LiveClient.JoinAsync(host, Upcoming, moderator.Token);
        await using var loudClient = await LiveClient.JoinAsync(host, Upcoming, loud.Token);
        await using var rudeClient = await LiveClient.JoinAsync(host, Upcoming, rude.Token);
        Assert.Empty((await mod.InvokeAsync<IReadOnlyList<SanctionEntry>>("ListSanctions", Upcoming)).Value!);
        // The server's clock (a rehearsal clock in tests), read from a message's time.
        var serverNow = (await mod.InvokeAsync<ChatAck>("SendChat", Upcoming, "order, please", "mod-1")).Value!.SentAt;

        Assert.True((await mod.InvokeAsync<bool>("MuteUser", Upcoming, loud.Id, 60)).Ok);
        Assert.True((await mod.InvokeAsync<bool>("BanUser", Upcoming, rude.Id, true)).Ok);
        var listed = (await mod.InvokeAsync<IReadOnlyList<SanctionEntry>>("ListSanctions", Upcoming)).Value!;
        Assert.Equal(2, listed.Count);
        var mute = listed.Single(s => s.Kind == "mute");
        Assert.Equal((loud.Id, loud.DisplayName, moderator.Id), (mute.UserId, mute.DisplayName, mute.SetBy));
        Assert.InRange(mute.Until!.Value, serverNow + 59 * 60_000, serverNow + 61 * 60_000);
        var ban = listed.Single(s => s.Kind == "ban");
        Assert.Equal((rude.Id, rude.DisplayName), (ban.UserId, ban.DisplayName));
        Assert.Null(ban.Until);
        Assert.Equal("muted", (await loudClient.InvokeAsync<ChatAck>("SendChat", Upcoming, "let me speak", "l-1")).Error?.Code);
        Assert.Equal("forbidden", (await loudClient.InvokeAsync<IReadOnlyList<SanctionEntry>>("ListSanctions", Upcoming)).Error?.Code);

        // Lifted before they run out: both can chat again at once, and the list is empty.
        Assert.True((await mod.InvokeAsync<bool>("MuteUser", Upcoming, loud.Id, 0)).Ok);
        Assert.True((await mod.InvokeAsync<bool>("BanUser", Upcoming, rude.Id, false)).Ok);
        Assert.True((await loudClient.InvokeAsync<ChatAck>("SendChat", Upcoming, "thank you", "l-2")).Ok);
        Assert.True((await rudeClient.InvokeAsync<ChatAck>("SendChat", Upcoming, "sorry", "r-1")).Ok);
        Assert.Empty((await mod.InvokeAsync<IReadOnlyList<SanctionEntry>>("ListSanctions", Upcoming)).Value!);
    }
}
