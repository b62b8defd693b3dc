using Events.Silo.Live;
using Events.Web.Accounts;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Events.Web.Tests;

/// <summary>End to end: real Kestrel on 127.0.0.1, real WebSockets, the official SignalR client, SQLite files.</summary>
public sealed class LiveHubTests
{
    private const string Session = "forum-2026-12-open-source";

    [Fact]
    public async Task Every_viewer_sees_the_counts_converge_to_the_truth()
    {
        await using var host = await LiveHost.StartAsync();
        var viewers = new List<LiveClient>();
        for (var i = 0; i < 30; i++)
        {
            viewers.Add(await LiveClient.JoinAsync(host, Session));
        }
        await Eventually.TrueAsync(() => viewers.All(v => v.Counts is { Current: 30, Unique: 30, TotalViews: 30, Peak: 30 }), "30 watching at every viewer");

        foreach (var leaving in viewers.Take(10))
        {
            await leaving.DisposeAsync();
        }
        var staying = viewers.Skip(10).ToArray();
        await Eventually.TrueAsync(() => staying.All(v => v.Counts == new CountsView(20, 30, 30, 30)), "20 watching, peak 30, at every remaining viewer");
        Assert.All(staying, v => Assert.Empty(v.SeqGaps));
        foreach (var v in staying)
        {
            await v.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_hundred_members_on_twenty_connections_voting_with_retries_are_each_counted_once()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var watcher = await LiveClient.JoinAsync(host, Session, organizer.Token);
        var opened = await watcher.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Which talk next month?", ["AI", "Health", "Climate"], true, false, "open-1"));
        Assert.True(opened.Ok, opened.Error?.Message);
        var roundId = opened.Value!.RoundId;

        var members = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => host.CreateAccountAsync()));
        var chosen = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        // 20 connections at a time; each carries 10 members one after another.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async lane =>
        {
            for (var k = 0; k < 10; k++)
            {
                var member = members[lane * 10 + k];
                var option = ((char)('a' + (lane + k) % 3)).ToString();
                var voteId = "v-" + member.Id;
                await using (var connection = await host.ConnectAsync(member.Token))
                {
                    // The same vote three times at once (a double click and a retry), then a change of mind.
                    var first = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => connection.InvokeAsync<HubResult<VoteAck>>("CastVote", roundId, option, voteId)));
                    Assert.All(first, r => Assert.Equal(("accepted", option), (r.Value!.Status, r.Value.OptionId)));
                    var other = await connection.InvokeAsync<HubResult<VoteAck>>("CastVote", roundId, option == "a" ? "b" : "a", "other-" + member.Id);
                    Assert.Equal(("already_voted", option), (other.Value!.Status, other.Value.OptionId));
                }
                // A retry after reconnecting on a new connection: still the same single vote.
                await using (var again = await host.ConnectAsync(member.Token))
                {
                    var retry = await again.InvokeAsync<HubResult<VoteAck>>("CastVote", roundId, option, voteId);
                    Assert.Equal("accepted", retry.Value!.Status);
                }
                chosen[member.Id] = option;
            }
        }));

        await Eventually.TrueAsync(() => watcher.Round(roundId)?.TotalVotes == 200, "the viewer's tally reaches 200");
        var seen = watcher.Round(roundId)!;
        foreach (var option in seen.Options)
        {
            Assert.Equal(chosen.Values.Count(o => o == option.Id), option.Votes);
        }
        var store = (Silo.Store.ILiveStore)host.Services.GetService(typeof(Silo.Store.ILiveStore))!;
        Assert.Equal(200, (await store.GetVotesAsync(roundId)).Count);

        var closed = await watcher.InvokeAsync<RoundView>("CloseRound", roundId);
        Assert.Equal("closed", closed.Value!.Status);
        // After the close: an account without a vote is refused; a counted voter's retry still hears "accepted".
        var latecomer = await host.CreateAccountAsync("late");
        await using var late = await host.ConnectAsync(latecomer.Token);
        var refused = await late.InvokeAsync<HubResult<VoteAck>>("CastVote", roundId, "a", "late-vote");
        Assert.Equal("round_closed", refused.Error?.Code);
        await using var earlyVoter = await host.ConnectAsync(members[0].Token);
        var retried = await earlyVoter.InvokeAsync<HubResult<VoteAck>>("CastVote", roundId, chosen[members[0].Id], "v-" + members[0].Id);
        Assert.Equal(("accepted", chosen[members[0].Id]), (retried.Value!.Status, retried.Value.OptionId));
        await Eventually.TrueAsync(() => watcher.Round(roundId)?.Status == "closed", "the viewer sees the round closed");
    }

    [Fact]
    public async Task Every_chat_message_reaches_every_viewer_once_and_in_order()
    {
        await using var host = await LiveHost.StartAsync();
        var viewers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => LiveClient.JoinAsync(host, Session)));
        var senders = await Task.WhenAll(Enumerable.Range(0, 5).Select(async i => await LiveClient.JoinAsync(host, Session, (await host.CreateAccountAsync("sender")).Token)));
        var acked = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(senders.Select(async (s, i) =>
        {
            for (var n = 0; n < 20; n++)
            {
                var id = $"m{i}-{n}";
                var ack = await s.InvokeAsync<ChatAck>("SendChat", Session, $"message {n} from {i}", id);
                Assert.True(ack.Ok, ack.Error?.Message);
                // A retry of the same message must not appear twice.
                var retry = await s.InvokeAsync<ChatAck>("SendChat", Session, $"message {n} from {i}", id);
                Assert.Equal(ack.Value!.MessageId, retry.Value!.MessageId);
                acked.Add(ack.Value.MessageId);
            }
        }));

        var expected = acked.Order().ToArray();
        foreach (var v in viewers.Concat(senders))
        {
            await Eventually.TrueAsync(() => v.Chat.Count >= 100, "100 messages at a viewer");
            Assert.Equal(expected, v.Chat.Select(m => m.Id).ToArray());
            Assert.Empty(v.SeqGaps);
        }
        // Each sender's own messages arrive in the order they were sent.
        foreach (var group in viewers[0].Chat.GroupBy(m => m.AuthorId))
        {
            Assert.Equal(Enumerable.Range(0, 20).Select(n => $"message {n} from"), group.Select(m => m.Text[..(m.Text.LastIndexOf(' '))]));
        }
        foreach (var c in viewers.Concat(senders))
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Moderation_takes_effect_for_everyone_at_once()
    {
        await using var host = await LiveHost.StartAsync();
        var moderator = await host.CreateAccountAsync("mod", Roles.Moderator);
        var talker = await host.CreateAccountAsync("talker");
        await using var mod = await LiveClient.JoinAsync(host, Session, moderator.Token);
        await using var member = await LiveClient.JoinAsync(host, Session, talker.Token);
        await using var viewer = await LiveClient.JoinAsync(host, Session);

        var first = (await member.InvokeAsync<ChatAck>("SendChat", Session, "first", "c1")).Value!;
        var second = (await member.InvokeAsync<ChatAck>("SendChat", Session, "second", "c2")).Value!;
        await Eventually.TrueAsync(() => viewer.Chat.Count == 2, "two messages");

        Assert.True((await mod.InvokeAsync<bool>("DeleteMessage", Session, first.MessageId)).Ok);
        Assert.True((await mod.InvokeAsync<bool>("PinMessage", Session, second.MessageId)).Ok);
        await Eventually.TrueAsync(() => viewer.Deleted.Contains(first.MessageId) && viewer.Settings.Pinned?.Id == second.MessageId, "delete and pin seen by a viewer");

        Assert.True((await mod.InvokeAsync<bool>("SetSlowMode", Session, 60)).Ok);
        await Eventually.TrueAsync(() => viewer.Settings.SlowModeSeconds == 60, "slow mode seen by a viewer");
        Assert.Equal("slow_mode", (await member.InvokeAsync<ChatAck>("SendChat", Session, "third", "c3")).Error?.Code);
        Assert.True((await mod.InvokeAsync<bool>("SetSlowMode", Session, 0)).Ok);

        Assert.True((await mod.InvokeAsync<bool>("MuteUser", Session, talker.Id, 5)).Ok);
        Assert.Equal("muted", (await member.InvokeAsync<ChatAck>("SendChat", Session, "fourth", "c4")).Error?.Code);
        Assert.True((await mod.InvokeAsync<bool>("MuteUser", Session, talker.Id, 0)).Ok);
        Assert.True((await member.InvokeAsync<ChatAck>("SendChat", Session, "fifth", "c5")).Ok);

        Assert.True((await mod.InvokeAsync<bool>("BanUser", Session, talker.Id, true)).Ok);
        Assert.Equal("banned", (await member.InvokeAsync<ChatAck>("SendChat", Session, "sixth", "c6")).Error?.Code);
        Assert.Equal("banned", (await member.InvokeAsync<ReactionAck>("React", Session, "like")).Error?.Code);

        // A page loaded afterwards shows the same state.
        await using var late = await LiveClient.JoinAsync(host, Session);
        Assert.Equal(["second", "fifth"], late.Snapshot.Chat.Select(m => m.Text));
        Assert.Equal("second", late.Snapshot.Settings.Pinned?.Text);
    }

    [Fact]
    public async Task Moderation_follows_rank_and_staff_messages_carry_their_badge()
    {
        await using var host = await LiveHost.StartAsync();
        var admin = await host.CreateAccountAsync("admin", Roles.Administrator, Roles.Organizer);
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        var moderator = await host.CreateAccountAsync("mod", Roles.Moderator);
        var other = await host.CreateAccountAsync("mod2", Roles.Moderator);
        var rep = await host.CreateAccountAsync("rep", Roles.CompanyRep);
        var talker = await host.CreateAccountAsync("talker");
        await using var a = await LiveClient.JoinAsync(host, Session, admin.Token);
        await using var o = await LiveClient.JoinAsync(host, Session, organizer.Token);
        await using var m = await LiveClient.JoinAsync(host, Session, moderator.Token);
        await using var m2 = await LiveClient.JoinAsync(host, Session, other.Token);
        await using var r = await LiveClient.JoinAsync(host, Session, rep.Token);
        await using var t = await LiveClient.JoinAsync(host, Session, talker.Token);
        await using var viewer = await LiveClient.JoinAsync(host, Session);

        // Each message carries its author's badge as a viewer receives it.
        var fromOrganizer = (await o.InvokeAsync<ChatAck>("SendChat", Session, "welcome", "o1")).Value!;
        var fromModerator = (await m2.InvokeAsync<ChatAck>("SendChat", Session, "be kind", "m1")).Value!;
        var fromMine = (await m.InvokeAsync<ChatAck>("SendChat", Session, "typo", "m2")).Value!;
        await r.InvokeAsync<ChatAck>("SendChat", Session, "visit our booth", "r1");
        await t.InvokeAsync<ChatAck>("SendChat", Session, "hello", "t1");
        await a.InvokeAsync<ChatAck>("SendChat", Session, "from the office", "a1");
        await Eventually.TrueAsync(() => viewer.Chat.Count == 6, "six messages");
        Assert.Equal(["organizer", "moderator", "moderator", "rep", null, "organizer"], viewer.Chat.Select(c => c.Badge));

        // A moderator acts on members only: not on the administrator, an organizer or another moderator.
        Assert.Equal("outranked", (await m.InvokeAsync<bool>("BanUser", Session, admin.Id, true)).Error?.Code);
        Assert.Equal("outranked", (await m.InvokeAsync<bool>("MuteUser", Session, organizer.Id, 10_080)).Error?.Code);
        Assert.Equal("outranked", (await m.InvokeAsync<bool>("MuteUser", Session, other.Id, 10)).Error?.Code);
        Assert.Equal("outranked", (await m.InvokeAsync<bool>("DeleteMessage", Session, fromOrganizer.MessageId)).Error?.Code);
        Assert.Equal("outranked", (await m.InvokeAsync<bool>("DeleteMessage", Session, fromModerator.MessageId)).Error?.Code);
        Assert.True((await m.InvokeAsync<bool>("DeleteMessage", Session, fromMine.MessageId)).Ok);
        Assert.True((await m.InvokeAsync<bool>("MuteUser", Session, rep.Id, 10)).Ok);
        Assert.True((await m.InvokeAsync<bool>("MuteUser", Session, talker.Id, 10)).Ok);
        // An organizer acts on moderators; the administrator on organizers; nobody on themselves.
        Assert.Equal("outranked", (await o.InvokeAsync<bool>("BanUser", Session, admin.Id, true)).Error?.Code);
        Assert.True((await o.InvokeAsync<bool>("BanUser", Session, moderator.Id, true)).Ok);
        Assert.True((await a.InvokeAsync<bool>("MuteUser", Session, organizer.Id, 5)).Ok);
        Assert.Equal("not_yourself", (await a.InvokeAsync<bool>("BanUser", Session, admin.Id, true)).Error?.Code);
        // A banned moderator cannot unban themselves, nor moderate here at all.
        Assert.Equal("forbidden", (await m.InvokeAsync<bool>("BanUser", Session, moderator.Id, false)).Error?.Code);
        Assert.Equal("forbidden", (await m.InvokeAsync<bool>("MuteUser", Session, talker.Id, 0)).Error?.Code);
        Assert.Equal("banned", (await m.InvokeAsync<ChatAck>("SendChat", Session, "let me out", "m3")).Error?.Code);
        // The muted organizer is refused too, until the administrator lifts it.
        Assert.Equal("forbidden", (await o.InvokeAsync<bool>("PinMessage", Session, fromOrganizer.MessageId)).Error?.Code);
        Assert.True((await a.InvokeAsync<bool>("MuteUser", Session, organizer.Id, 0)).Ok);
        Assert.True((await o.InvokeAsync<bool>("PinMessage", Session, fromOrganizer.MessageId)).Ok);

        // A page loaded afterwards shows the badges too.
        await using var late = await LiveClient.JoinAsync(host, Session);
        Assert.Equal("organizer", late.Snapshot.Settings.Pinned?.Badge);
        Assert.Equal("rep", late.Snapshot.Chat.Single(c => c.Text == "visit our booth").Badge);
    }

    [Fact]
    public async Task Calls_without_the_role_are_refused_and_the_connection_stays_up()
    {
        await using var host = await LiveHost.StartAsync();
        var plain = await host.CreateAccountAsync("plain");
        var moderator = await host.CreateAccountAsync("mod", Roles.Moderator);
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var anonymous = await LiveClient.JoinAsync(host, Session);
        await using var member = await LiveClient.JoinAsync(host, Session, plain.Token);
        await using var mod = await LiveClient.JoinAsync(host, Session, moderator.Token);
        await using var org = await LiveClient.JoinAsync(host, Session, organizer.Token);
        var round = new OpenRoundRequest("Q?", ["Yes", "No"], true, false, "r1");

        // method, arguments, and the least role that may call it (0 anyone, 1 member, 2 moderator, 3 organizer)
        var matrix = new (string Method, object?[] Args, int Least)[]
        {
            ("SendChat", [Session, "hi", "x" + Guid.NewGuid().ToString("N")], 1),
            ("React", [Session, "applause"], 1),
            ("DeleteMessage", [Session, 999_999L], 2),
            ("MuteUser", [Session, "someone", 0], 2),
            ("BanUser", [Session, "someone", false], 2),
            ("SetSlowMode", [Session, 0], 2),
            ("PinMessage", [Session, null], 2),
            ("ListSanctions", [Session], 2),
            ("SetSessionStatus", [Session, "scheduled"], 3),
            ("OpenRound", [Session, round], 3),
        };
        var callers = new[] { anonymous, member, mod, org };
        for (var level = 0; level < callers.Length; level++)
        {
            foreach (var (method, args, least) in matrix)
            {
                var result = await callers[level].Connection.InvokeCoreAsync<HubResult<object>>(method, args);
                if (level < least)
                {
                    Assert.False(result.Ok, $"{method} by level {level} should be refused");
                    Assert.Equal(level == 0 ? "unauthenticated" : "forbidden", result.Error!.Code);
                }
                else
                {
                    Assert.True(result.Ok || result.Error!.Code == "unknown_message", $"{method} by level {level}: {result.Error?.Code}");
                }
            }
        }
        var roundByOrganizer = (await org.InvokeAsync<RoundView>("OpenRound", Session, round with { ClientCommandId = "r2" })).Value!.RoundId;
        Assert.Equal("forbidden", (await member.InvokeAsync<RoundView>("CloseRound", roundByOrganizer)).Error?.Code);
        Assert.Equal("forbidden", (await mod.InvokeAsync<RoundView>("CloseRound", roundByOrganizer)).Error?.Code);
        Assert.Equal("unauthenticated", (await anonymous.InvokeAsync<RoundView>("CloseRound", roundByOrganizer)).Error?.Code);
        Assert.True((await org.InvokeAsync<RoundView>("CloseRound", roundByOrganizer)).Ok);
        // Every connection is still usable.
        foreach (var c in callers)
        {
            Assert.Equal(HubConnectionState.Connected, c.Connection.State);
            Assert.True((await c.InvokeAsync<SessionSnapshot>("JoinSession", Session)).Ok);
        }
    }

    [Fact]
    public async Task Bad_input_gets_a_typed_error_and_nothing_is_written()
    {
        await using var host = await LiveHost.StartAsync();
        var organizer = await host.CreateAccountAsync("org", Roles.Organizer);
        await using var client = await LiveClient.JoinAsync(host, Session, organizer.Token);
        var open = await client.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Pick", ["One", "Two"], true, false, "ro1"));
        var roundId = open.Value!.RoundId;

        Assert.Equal("unknown_session", (await client.InvokeAsync<SessionSnapshot>("JoinSession", "no-such-session")).Error?.Code);
        Assert.Equal("unknown_session", (await client.InvokeAsync<SessionSnapshot>("JoinSession", "../etc/passwd")).Error?.Code);
        Assert.Equal("unknown_session", (await client.InvokeAsync<SessionSnapshot>("JoinSession", (object?)null)).Error?.Code);
        Assert.Equal("not_joined", (await client.InvokeAsync<ChatAck>("SendChat", "contest-final", "hi", "x1")).Error?.Code);
        Assert.Equal("unknown_round", (await client.InvokeAsync<VoteAck>("CastVote", "rnosuchround", "a", "v1")).Error?.Code);
        Assert.Equal("invalid_option", (await client.InvokeAsync<VoteAck>("CastVote", roundId, "z", "v2")).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<VoteAck>("CastVote", roundId, "a", "bad id with spaces")).Error?.Code);
        Assert.Equal("empty_message", (await client.InvokeAsync<ChatAck>("SendChat", Session, "  \n ", "e1")).Error?.Code);
        Assert.Equal("message_too_long", (await client.InvokeAsync<ChatAck>("SendChat", Session, new string('a', 501), "e2")).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<ChatAck>("SendChat", Session, (object?)null, "e3")).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<ReactionAck>("React", Session, "boo")).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<bool>("SetSessionStatus", Session, "paused")).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<bool>("SetSessionStatus", Session, "scheduled,live")).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Pick", ["One", null!], true, false, "ro3"))).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<bool>("SetSlowMode", Session, -1)).Error?.Code);
        Assert.Equal("invalid_argument", (await client.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("", ["x", "y"], true, false, "ro2"))).Error?.Code);
        Assert.True((await client.InvokeAsync<RoundView>("CloseRound", roundId)).Ok);
        Assert.Equal("round_closed", (await client.InvokeAsync<VoteAck>("CastVote", roundId, "a", "v3")).Error?.Code);

        var store = (Silo.Store.ILiveStore)host.Services.GetService(typeof(Silo.Store.ILiveStore))!;
        Assert.Empty(await store.GetRecentChatAsync(Session, 10));
        Assert.Empty(await store.GetVotesAsync(roundId));
        Assert.Single(await store.GetRoundsAsync(Session));
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task Messages_faster_than_the_limit_are_refused_with_a_wait()
    {
        await using var host = await LiveHost.StartAsync(new Dictionary<string, string?> { ["RateLimits:Chat:Burst"] = "3", ["RateLimits:Chat:PerSecond"] = "0.2" });
        var account = await host.CreateAccountAsync();
        await using var client = await LiveClient.JoinAsync(host, Session, account.Token);
        var results = new List<HubResult<ChatAck>>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await client.InvokeAsync<ChatAck>("SendChat", Session, "spam " + i, "s" + i));
        }
        Assert.All(results.Take(3), r => Assert.True(r.Ok));
        Assert.All(results.Skip(3), r => Assert.Equal("rate_limited", r.Error?.Code));
        Assert.InRange(results[3].Error!.RetryAfterMs!.Value, 1, 5000);
    }

    [Fact]
    public async Task A_page_of_another_site_cannot_open_the_hub()
    {
        await using var host = await LiveHost.StartAsync();
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.ConnectAsync(origin: "http://evil.example"));
        Assert.Contains("403", refused.ToString());
        await using var same = await host.ConnectAsync(origin: host.BaseUrl.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HubConnectionState.Connected, same.State);
    }
}
