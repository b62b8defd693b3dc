using System.Collections.Concurrent;
using System.Text.Json;
using Events.Silo.Live;
using Events.Silo.Store;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Events.Silo.Tests;

/// <summary>Grains leaving memory and coming back: deactivated on purpose, and taken over after their node was killed.</summary>
public sealed class FailoverTests
{
    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task A_session_dropped_from_memory_comes_back_with_the_stored_chat_counts_reactions_sanctions_and_tallies()
    {
        // Presence is written only when the grain goes, so the counts below come from the deactivation's flush.
        var t = await LiveCluster.StartAsync(options: new LiveOptions { PresenceFlush = TimeSpan.FromSeconds(30) });
        var session = t.Session("s1");
        var relay = t.Relay();
        await session.JoinAsync(relay.Report(1), "a:x", false, Caller.Anonymous);
        await session.JoinAsync(relay.Report(2), "u:m1", false, LiveCluster.Member("m1"));
        await session.JoinAsync(relay.Report(1), "a:x", false, Caller.Anonymous);
        var kept = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            kept.Add((await session.PostChatAsync(LiveCluster.Member("m" + i), "kept " + i, "k" + i)).Value!.MessageId);
        }
        Assert.True((await session.PinAsync(LiveCluster.Moderator, kept[1])).IsOk);
        Assert.True((await session.SetSlowModeAsync(LiveCluster.Moderator, 5)).IsOk);
        Assert.True((await session.SetStatusAsync(LiveCluster.Organizer, SessionStatus.Live)).IsOk);
        Assert.True((await session.ReactAsync(LiveCluster.Member("r1"), "like")).IsOk);
        Assert.True((await session.ReactAsync(LiveCluster.Member("r2"), "like")).IsOk);
        Assert.True((await session.ReactAsync(LiveCluster.Member("r3"), "applause")).IsOk);
        Assert.True((await session.MuteAsync(LiveCluster.Moderator, "m5", LiveRoles.Member, 10)).IsOk);
        Assert.True((await session.BanAsync(LiveCluster.Moderator, "m6", LiveRoles.Member, true)).IsOk);
        var open = (await session.OpenRoundAsync(LiveCluster.Organizer, "Open?", ["A", "B"], true, false, "r-open")).Value!;
        var hidden = (await session.OpenRoundAsync(LiveCluster.Organizer, "Closed?", ["A", "B", "C"], false, false, "r-closed")).Value!;
        for (var v = 0; v < 5; v++)
        {
            Assert.True((await t.Round(open.RoundId, v % 2).CastAsync(LiveCluster.Member("v" + v), v < 3 ? "a" : "b", "o" + v)).IsOk);
            Assert.True((await t.Round(hidden.RoundId, v % 2).CastAsync(LiveCluster.Member("v" + v), v < 1 ? "b" : "c", "h" + v)).IsOk);
        }
        Assert.True((await t.Round(hidden.RoundId).CloseAsync(LiveCluster.Organizer)).IsOk);
        // The round tells the session of its votes on its own pace: wait until the session shows them all.
        await Eventually.TrueAsync(async () => (await session.PeekAsync(Caller.Anonymous)).Rounds.All(r => r.TotalVotes == 5 && (r.RoundId != hidden.RoundId || r.Status == "closed")), "the session to show both rounds' votes");
        var before = await session.PeekAsync(LiveCluster.Member("m5"));
        Assert.Equal(new SessionCounters(0, 0, 0), await t.Store.GetCountersAsync("s1"));
        var sanctionsBefore = (await session.GetSanctionsAsync(LiveCluster.Moderator)).Value!;
        Assert.Equal(2, sanctionsBefore.Count);

        var firstActivation = t.ActivationOf(session);
        Assert.NotNull(firstActivation);
        foreach (var grain in new IAddressable[] { session, t.Round(open.RoundId), t.Round(hidden.RoundId) })
        {
            await t.Cluster.DeactivateAsync(grain);
            Assert.Null(t.HostOf(grain));
        }
        Assert.Equal(new SessionCounters(2, 3, 2), await t.Store.GetCountersAsync("s1"));

        // A call through the other node activates the session again, from the store.
        var after = await t.Session("s1", 1).PeekAsync(LiveCluster.Member("m5"));
        Assert.NotNull(t.ActivationOf(session));
        Assert.NotEqual(firstActivation, t.ActivationOf(session));
        Assert.Equal(["kept 0", "kept 1", "kept 2"], after.Chat.Select(m => m.Text));
        Assert.Equal(before.Chat, after.Chat);
        Assert.Equal(before.Reactions, after.Reactions);
        Assert.Equal(before.Settings, after.Settings);
        Assert.Equal(new SettingsView("live", 5, before.Chat[1]), after.Settings);
        Assert.Equal(Json(before.Rounds), Json(after.Rounds));
        Assert.Equal([3L, 2L], after.Rounds.Single(r => r.RoundId == open.RoundId).Options.Select(o => o.Votes!.Value));
        Assert.Equal([0L, 1L, 4L], after.Rounds.Single(r => r.RoundId == hidden.RoundId).Options.Select(o => o.Votes!.Value));
        // Nobody reports viewers to the new activation yet; the stored figures are back.
        Assert.Equal(new CountsView(Current: 0, Peak: 2, Unique: 2, TotalViews: 3), after.Counts);
        Assert.True(after.You.Muted);
        Assert.Equal(Json(sanctionsBefore), Json((await t.Session("s1", 1).GetSanctionsAsync(LiveCluster.Moderator)).Value!));
        Assert.Equal("muted", (await session.PostChatAsync(LiveCluster.Member("m5"), "hello?", "x1")).Error?.Code);
        Assert.Equal("banned", (await session.PostChatAsync(LiveCluster.Member("m6"), "hello?", "x2")).Error?.Code);
        Assert.Equal("already_voted", (await t.Round(open.RoundId).CastAsync(LiveCluster.Member("v0"), "b", "again")).Value?.Status);
        Assert.Equal("round_closed", (await t.Round(hidden.RoundId).CastAsync(LiveCluster.Member("v9"), "a", "late")).Error?.Code);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_session_that_comes_back_on_a_node_whose_rehearsal_clock_is_behind_numbers_its_updates_above_the_earlier_ones()
    {
        // A rehearsal cluster: each node's events' clock starts at Clock:StartAt when the node starts, so
        // a node started ten minutes after the first has a clock ten minutes behind it.
        var startAt = new DateTimeOffset(2026, 12, 12, 5, 30, 0, TimeSpan.Zero);
        var t = await LiveCluster.StartAsync(clocks: node => new EventClock(node == 0 ? startAt : startAt.AddMinutes(-10)));
        var relay = t.Relay(0);
        var session = t.Session("s1");

        await ReportActivatingOnAsync(t, relay, session, 0);
        Assert.True((await session.PostChatAsync(LiveCluster.Member("m1"), "before", "c1")).IsOk);
        var before = await relay.WaitForAsync(u => u.Chat?.Any(m => m.Text == "before") == true, "the first activation's update");

        await t.Cluster.DeactivateAsync(session);
        await ReportActivatingOnAsync(t, relay, session, 1);
        Assert.True((await session.PostChatAsync(LiveCluster.Member("m1"), "after", "c2")).IsOk);
        var after = await relay.WaitForAsync(u => u.Chat?.Any(m => m.Text == "after") == true, "the second activation's update");

        // A node's relay drops an update numbered at or below the last it sent: numbered below, every
        // update of the new activation would be dropped and its viewers would see nothing.
        Assert.True(after.Seq > before.Seq, $"seq {after.Seq} after the move, {before.Seq} before it");
        await t.DisposeAndDeleteAsync();
    }

    /// <summary>Reports one viewer to the session, which activates it on node <paramref name="node"/> if it is not active.</summary>
    private static async Task ReportActivatingOnAsync(LiveCluster t, RecordingRelay relay, ILiveSessionGrain session, int node)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, t.Nodes[node].SiloAddress);
        try
        {
            await relay.ReportAsync(session, 1);
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
        Assert.Equal(t.Nodes[node].SiloAddress, t.HostOf(session));
    }

    /// <summary>Calls until the call goes through (while a dead node's grains are not yet taken over it fails).</summary>
    private static async Task<T> UntilAnsweredAsync<T>(Func<Task<T>> call, int timeoutMs = 30_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    [Fact]
    public async Task A_killed_node_s_grains_come_back_on_the_survivor_with_every_acknowledged_vote_counted_once_and_the_same_chat()
    {
        var t = await LiveCluster.StartAsync(options: new LiveOptions { PresenceExpiry = TimeSpan.FromSeconds(30) });
        var victim = t.Nodes[1];
        const int survivor = 0;
        var survivorAddress = t.Nodes[survivor].SiloAddress;

        // The session and its round live on the node that will die; every call comes through the survivor.
        var session = t.Session("s1", survivor);
        RequestContext.Set(IPlacementDirector.PlacementHintKey, victim.SiloAddress);
        var opened = await session.OpenRoundAsync(LiveCluster.Organizer, "Best?", ["X", "Y", "Z"], true, false, "open");
        RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        var round = t.Round(opened.Value!.RoundId, survivor);
        Assert.Equal(victim.SiloAddress, t.HostOf(session));
        Assert.Equal(victim.SiloAddress, t.HostOf(round));

        var relay = t.Relay(survivor);
        await using var beat = await relay.KeepReportingAsync(session, 1);
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await session.PostChatAsync(LiveCluster.Member("m" + i % 4), "chat " + i, "c" + i)).IsOk);
        }
        var chatBefore = (await session.PeekAsync(Caller.Anonymous)).Chat;
        Assert.Equal(20, chatBefore.Count);

        // 300 voters, spread over about a second and a half; the node dies once some have been acknowledged.
        static string OptionOf(int voter) => ((char)('a' + voter % 3)).ToString();
        var acknowledged = new ConcurrentDictionary<int, VoteAck>();
        var killed = 0;
        var casts = Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
        {
            await Task.Delay(i * 5);
            try
            {
                var result = await round.CastAsync(LiveCluster.Member("v" + i), OptionOf(i), "id" + i);
                if (result.IsOk && Volatile.Read(ref killed) == 0)
                {
                    acknowledged[i] = result.Value!;
                }
                return result.IsOk ? "ok" : result.Error!.Code;
            }
            catch (Exception e)
            {
                return e.GetType().Name;
            }
        })).ToArray();
        await Eventually.TrueAsync(() => acknowledged.Count >= 60, "60 votes to be acknowledged");
        var ackedBeforeKill = acknowledged.ToArray();
        Volatile.Write(ref killed, 1);
        var killedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await t.Cluster.KillSiloAsync(victim);
        var outcomes = await Task.WhenAll(casts);
        Assert.All(ackedBeforeKill, a => Assert.Equal("accepted", a.Value.Status));
        // Votes in flight at the kill failed with the node (SiloUnavailableException and the like) or were answered by the new activation.
        Assert.All(outcomes, o => Assert.NotEqual("round_closed", o));

        // Before anyone retries, the round is back on the survivor and counts every vote acknowledged before the kill.
        // (Not compared with the store yet: in one process the killed silo's last batch can still reach the shared
        // store after the new activation read it; those voters heard an error, and their retries below fix the count.)
        var cameBack = (await UntilAnsweredAsync(() => round.ViewAsync()))!;
        Assert.Equal(survivorAddress, t.HostOf(round));
        Assert.InRange(cameBack.TotalVotes, ackedBeforeKill.Length, 300);
        foreach (var (voter, ack) in ackedBeforeKill)
        {
            Assert.Equal(ack.OptionId, await round.VoteOfAsync("v" + voter));
        }
        Assert.Equal(chatBefore, (await UntilAnsweredAsync(() => session.PeekAsync(Caller.Anonymous))).Chat);

        // Every voter retries with the same client id, on the survivor, until answered.
        var retried = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
        {
            var deadline = Environment.TickCount64 + 40_000;
            while (true)
            {
                try
                {
                    var result = await round.CastAsync(LiveCluster.Member("v" + i), OptionOf(i), "id" + i);
                    if (result.IsOk || result.Error!.Code != "try_again")
                    {
                        return result;
                    }
                }
                catch (Exception) when (Environment.TickCount64 < deadline)
                {
                    // The dead node's grains are not yet taken over.
                }
                if (Environment.TickCount64 > deadline)
                {
                    throw new TimeoutException("voter " + i + " was never answered");
                }
                await Task.Delay(200);
            }
        })));
        Assert.All(retried, r => Assert.Equal("accepted", r.Value?.Status));
        foreach (var (voter, ack) in ackedBeforeKill)
        {
            Assert.Equal(ack.OptionId, retried[voter].Value!.OptionId);
        }

        // Counted exactly once each, and the tally on the survivor equals the recount.
        var stored = await t.Store.GetVotesAsync(opened.Value.RoundId);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => "v" + i).Order(), stored.Select(v => v.VoterId).Order());
        Assert.All(stored, v => Assert.Equal(OptionOf(int.Parse(v.VoterId[1..])), v.OptionId));
        var view = (await round.ViewAsync())!;
        Assert.Equal(survivorAddress, t.HostOf(round));
        Assert.Equal(300, view.TotalVotes);
        Assert.All(view.Options, o => Assert.Equal(stored.Count(v => v.OptionId == o.Id), o.Votes));

        var final = await round.CloseAsync(LiveCluster.Organizer);
        Assert.Equal(Json(view with { Status = "closed", ClosedAt = final.Value!.ClosedAt }), Json(final.Value));

        // The session came back on the survivor with the same recent chat and the whole tally.
        await Eventually.TrueAsync(async () => (await session.PeekAsync(Caller.Anonymous)).Rounds.Single() is { Status: "closed", TotalVotes: 300 }, "the session to show the closed round's whole tally", 20_000);
        Assert.Equal(survivorAddress, t.HostOf(session));
        var snapshot = await session.PeekAsync(Caller.Anonymous);
        Assert.Equal(chatBefore, snapshot.Chat);
        Assert.Equal(Json(final.Value), Json(snapshot.Rounds.Single()));

        // The survivor's viewers get updates again, from the new activation: numbered above everything
        // the dead one sent (its sequence started at its activation time), so their clients see the gap
        // and join again, and the fresh snapshot has the whole tally.
        var resumed = await relay.WaitForAsync(u => u.Seq > killedAtMs, "an update from the new activation", timeoutMs: 20_000);
        var seqs = relay.Updates.Select(u => u.Seq).ToArray();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Length, seqs.Distinct().Count());
        var rejoined = await session.JoinAsync(relay.Report(1), "a:viewer", true, Caller.Anonymous);
        Assert.True(rejoined.Seq >= resumed.Seq);
        Assert.Equal(300, rejoined.Rounds.Single().TotalVotes);
        Assert.Equal(chatBefore, rejoined.Chat);
        await t.DisposeAndDeleteAsync();
    }
    [Fact]
    public async Task A_node_whose_reports_come_late_keeps_its_viewers_counted_until_the_cluster_declares_it_dead()
    {
        // Relays name their silo's address, as the real ones do; the session lives on the node that stays.
        var t = await LiveCluster.StartAsync(options: new LiveOptions
        {
            PresenceHeartbeat = TimeSpan.FromMilliseconds(200),
            MaxTick = TimeSpan.FromMilliseconds(200),
            PresenceExpiry = TimeSpan.FromSeconds(3),
        });
        var staying = t.Nodes[0];
        var late = t.Nodes[1];
        RequestContext.Set(IPlacementDirector.PlacementHintKey, staying.SiloAddress);
        var session = t.Session("s1", 0);
        await session.PeekAsync(Caller.Anonymous);
        RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        Assert.Equal(staying.SiloAddress, t.HostOf(session));
        var relayA = t.Relay(0, staying.SiloAddress.ToString());
        var relayB = t.Relay(1, late.SiloAddress.ToString());
        await using var beatA = await relayA.KeepReportingAsync(session, 3, TimeSpan.FromMilliseconds(200));

        // B reports once, then goes quiet past the expiry, as an overloaded node's late reports do.
        await relayB.ReportAsync(t.Session("s1", 1), 4);
        await relayA.WaitForAsync(u => u.Counts?.Current == 7, "both nodes' viewers in the sum");
        var summed = relayA.Count;
        await Task.Delay(t.Options.PresenceExpiry * 1.5);
        Assert.Equal(7, (await session.PeekAsync(Caller.Anonymous)).Counts.Current);
        Assert.All(relayA.Updates.Skip(summed), u => Assert.True(u.Counts is null or { Current: 7 }, $"count {u.Counts?.Current} while B was late"));
        // ... and B's viewers still get what happens.
        var mark = relayB.Count;
        var message = (await session.PostChatAsync(LiveCluster.Member("m"), "while B is late", "late-1")).Value!.MessageId;
        await relayB.WaitForAsync(u => u.Chat?.Any(m => m.Id == message) == true, "the late node to still receive updates", mark);

        // B reports again, then dies: its viewers leave the sum once the cluster declares it dead,
        // well before its silence alone would make it leave (five times the expiry).
        await using (await relayB.KeepReportingAsync(t.Session("s1", 1), 4, TimeSpan.FromMilliseconds(200)))
        {
            await Task.Delay(500);
            var markA = relayA.Count;
            var killedAt = Environment.TickCount64;
            await t.Cluster.KillSiloAsync(late);
            await relayA.WaitForAsync(u => u.Counts?.Current == 3, "the dead node's viewers to leave the sum", markA,
                timeoutMs: (int)(t.Options.PresenceExpiry.TotalMilliseconds * 4));
            Assert.True(Environment.TickCount64 - killedAt < t.Options.PresenceExpiry.TotalMilliseconds * 4);
        }
        await t.DisposeAndDeleteAsync();
    }
}
