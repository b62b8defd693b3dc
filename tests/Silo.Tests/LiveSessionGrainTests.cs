using Events.Silo.Live;
using Events.Silo.Store;

namespace Events.Silo.Tests;

public sealed class LiveSessionGrainTests
{
    /// <summary>
    /// Posts one more message and waits for the relay to show it: updates reach a relay in order,
    /// so everything sent before it has arrived by then, and "once" can be checked.
    /// </summary>
    internal static async Task<long> FlushWithSentinelAsync(ILiveSessionGrain grain, params RecordingRelay[] relays)
    {
        var sentinel = await grain.PostChatAsync(LiveCluster.Member("sentinel"), "sentinel", "sentinel-" + Guid.NewGuid().ToString("N"));
        Assert.True(sentinel.IsOk, sentinel.Error?.Message);
        var id = sentinel.Value!.MessageId;
        foreach (var relay in relays)
        {
            await relay.WaitForAsync(u => u.Chat?.Any(m => m.Id == id) == true, "the sentinel message");
        }
        return id;
    }

    [Fact]
    public async Task What_changes_while_no_node_reports_goes_out_to_the_first_relay_that_does()
    {
        // A grain that has just activated (after a failover) hears from the nodes' relays only at their
        // next heartbeat; a message and a status change made before that must not be sent to nobody.
        await using var t = await LiveCluster.StartAsync();
        var grain = t.Session("s1");
        var said = (await grain.PostChatAsync(LiveCluster.Member("m1"), "before any relay", "c1")).Value!.MessageId;
        Assert.True((await grain.SetStatusAsync(LiveCluster.Organizer, SessionStatus.Live)).IsOk);
        await Task.Delay(300);
        var relay = t.Relay();
        await using var beat = await relay.KeepReportingAsync(grain, 1);
        var first = await relay.WaitForAsync(u => u.Chat is not null || u.Settings is not null, "the changes to go out");
        Assert.Contains(first.Chat ?? [], m => m.Id == said);
        Assert.Equal("live", first.Settings?.Status);
    }

    [Fact]
    public async Task Concurrent_chat_is_stored_once_and_broadcast_once_in_id_order()
    {
        var t = await LiveCluster.StartAsync();
        var grain = t.Session("s1");
        var relay = t.Relay();
        await using var beat = await relay.KeepReportingAsync(grain, 1);
        var sends = new List<Task<Outcome<ChatAck>>>();
        for (var i = 0; i < 400; i++)
        {
            var author = LiveCluster.Member("m" + i % 40);
            var text = "hello " + i;
            var id = "c" + i;
            var node = t.Session("s1", i % 2);
            sends.Add(Task.Run(() => node.PostChatAsync(author, text, id)));
            sends.Add(Task.Run(() => node.PostChatAsync(author, text, id))); // a retry
        }
        var acks = await Task.WhenAll(sends);
        Assert.All(acks, a => Assert.True(a.IsOk, a.Error?.Message));
        for (var i = 0; i < acks.Length; i += 2)
        {
            Assert.Equal(acks[i].Value!.MessageId, acks[i + 1].Value!.MessageId);
        }
        Assert.Equal(400, acks.Select(a => a.Value!.MessageId).Distinct().Count());

        var sentinel = await FlushWithSentinelAsync(grain, relay);
        var updates = relay.Updates;
        // One sequence without gaps: a viewer that saw a gap would have to re-join.
        for (var i = 1; i < updates.Count; i++)
        {
            Assert.Equal(updates[i - 1].Seq + 1, updates[i].Seq);
        }
        var received = relay.Chat().Where(m => m.Id != sentinel).ToArray();
        Assert.Equal(400, received.Length);
        Assert.Equal(received.Select(m => m.Id).Order(), received.Select(m => m.Id));
        Assert.Equal(acks.Select(a => a.Value!.MessageId).Distinct().Order(), received.Select(m => m.Id));
        Assert.Equal(401, (await t.Store.GetChatAfterAsync("s1", 0, 10_000)).Count);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Chat_refusals_say_why()
    {
        var t = await LiveCluster.StartAsync();
        var grain = t.Session("s1");
        var member = LiveCluster.Member("m1");
        Assert.Equal("unauthenticated", (await grain.PostChatAsync(Caller.Anonymous, "hi", "a1")).Error?.Code);
        Assert.Equal("empty_message", (await grain.PostChatAsync(member, "   ", "a2")).Error?.Code);
        Assert.Equal("message_too_long", (await grain.PostChatAsync(member, new string('x', 501), "a3")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.PostChatAsync(member, "nul\0byte", "a9")).Error?.Code);
        // A lone surrogate is refused by the grain when it gets one; only a call from the grain's own
        // node delivers it intact (a call from another node serializes the text as UTF-8, which turns it into U+FFFD).
        var local = t.Session("s1", t.NodeOf(grain));
        Assert.Equal("invalid_argument", (await local.PostChatAsync(member, "lone \uD800 surrogate", "a10")).Error?.Code);
        Assert.Equal("invalid_argument", (await local.PostChatAsync(member, "low \uDC00 first", "a12")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.PostChatAsync(member, "bell\u0007", "a11")).Error?.Code);
        Assert.True((await grain.PostChatAsync(member, new string('字', 500), "a4")).IsOk);

        Assert.Equal("forbidden", (await grain.SetSlowModeAsync(member, 30)).Error?.Code);
        Assert.True((await grain.SetSlowModeAsync(LiveCluster.Moderator, 30)).IsOk);
        var slowed = await grain.PostChatAsync(member, "again", "a5");
        Assert.Equal("slow_mode", slowed.Error?.Code);
        Assert.InRange(slowed.Error!.RetryAfterMs!.Value, 1, 30_000);
        Assert.True((await grain.PostChatAsync(LiveCluster.Moderator, "moderators are not slowed", "m1")).IsOk);
        Assert.True((await grain.PostChatAsync(LiveCluster.Moderator, "not even twice", "m2")).IsOk);
        Assert.True((await grain.SetSlowModeAsync(LiveCluster.Moderator, 0)).IsOk);

        Assert.True((await grain.MuteAsync(LiveCluster.Moderator, "m1", LiveRoles.Member, 10)).IsOk);
        var muted = await grain.PostChatAsync(member, "muted?", "a6");
        Assert.Equal("muted", muted.Error?.Code);
        Assert.InRange(muted.Error!.RetryAfterMs!.Value, 590_000, 600_000);
        Assert.True((await grain.MuteAsync(LiveCluster.Moderator, "m1", LiveRoles.Member, 0)).IsOk);
        Assert.True((await grain.PostChatAsync(member, "back", "a7")).IsOk);

        Assert.True((await grain.BanAsync(LiveCluster.Moderator, "m1", LiveRoles.Member, true)).IsOk);
        Assert.Equal("banned", (await grain.PostChatAsync(member, "banned?", "a8")).Error?.Code);
        Assert.Equal("banned", (await grain.ReactAsync(member, "like")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.MuteAsync(LiveCluster.Moderator, "m1", LiveRoles.Member, 99_999)).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.MuteAsync(LiveCluster.Moderator, "m1", LiveRoles.Member, -1)).Error?.Code);
        Assert.Equal("forbidden", (await grain.BanAsync(member, "m2", LiveRoles.Member, true)).Error?.Code);

        var stored = await t.Store.GetChatAfterAsync("s1", 0, 100);
        Assert.Equal(["字", "moderators are not slowed", "not even twice", "back"], stored.Select(m => m.Text.Length == 500 ? "字" : m.Text));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Moderation_shows_in_the_next_updates_and_survives_a_restart()
    {
        var t = await LiveCluster.StartAsync();
        var grain = t.Session("s1");
        var relay = t.Relay();
        var beat = await relay.KeepReportingAsync(grain, 1);
        var first = (await grain.PostChatAsync(LiveCluster.Member("a"), "first", "1")).Value!;
        var second = (await grain.PostChatAsync(LiveCluster.Member("b"), "second", "2")).Value!;
        await relay.WaitUntilAsync(_ => relay.Chat().Select(m => m.Id).Contains(second.MessageId), "both messages");
        var mark = relay.Count;

        Assert.True((await grain.PinAsync(LiveCluster.Moderator, second.MessageId)).IsOk);
        Assert.True((await grain.DeleteMessageAsync(LiveCluster.Moderator, first.MessageId)).IsOk);
        Assert.Equal("unknown_message", (await grain.DeleteMessageAsync(LiveCluster.Moderator, first.MessageId)).Error?.Code);
        Assert.Equal("unknown_message", (await grain.PinAsync(LiveCluster.Moderator, 999_999)).Error?.Code);
        Assert.Equal("forbidden", (await grain.DeleteMessageAsync(LiveCluster.Member("a"), second.MessageId)).Error?.Code);
        Assert.Equal("forbidden", (await grain.PinAsync(LiveCluster.Member("a"), first.MessageId)).Error?.Code);
        await relay.WaitForAsync(u => u.Deleted?.Contains(first.MessageId) == true, "the deletion", mark);
        var after = relay.Updates.Skip(mark).ToArray();
        Assert.Equal([first.MessageId], after.SelectMany(u => u.Deleted ?? []));
        Assert.Equal("second", after.Last(u => u.Settings is not null).Settings!.Pinned?.Text);
        Assert.Empty(after.SelectMany(u => u.Chat ?? []));
        await beat.DisposeAsync();
        await t.DisposeAsync();

        var again = await LiveCluster.StartAsync(t.Folder);
        var snapshot = await again.Session("s1", 1).PeekAsync(Caller.Anonymous);
        Assert.Equal(["second"], snapshot.Chat.Select(c => c.Text));
        Assert.Equal(second.MessageId, snapshot.Settings.Pinned?.Id);
        await again.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Presence_counts_current_peak_unique_and_total_views()
    {
        var t = await LiveCluster.StartAsync(options: new LiveOptions { PresenceFlush = TimeSpan.FromMilliseconds(50) });
        var grain = t.Session("s1");
        var relay = t.Relay();
        // Three browsers on one node; one of them opens the page twice.
        await grain.JoinAsync(relay.Report(1), "a:one", false, Caller.Anonymous);
        await grain.JoinAsync(relay.Report(2), "a:two", false, Caller.Anonymous);
        await grain.JoinAsync(relay.Report(3), "a:one", false, Caller.Anonymous);
        var rejoined = await grain.JoinAsync(relay.Report(3), "a:one", true, Caller.Anonymous); // the same connection joining again
        Assert.Equal(3, rejoined.Counts.Current);
        Assert.Equal(3, rejoined.Counts.TotalViews);
        var joined = await grain.JoinAsync(relay.Report(4), "u:42", false, LiveCluster.Member("42"));
        Assert.Equal((4L, 4L), (joined.Counts.Current, joined.Counts.TotalViews));
        Assert.Equal("42", joined.You.UserId);
        // Two of them leave: the node reports fewer viewers.
        await relay.ReportAsync(grain, 3);
        await relay.ReportAsync(grain, 2);

        var update = await relay.WaitForAsync(u => u.Counts is { Unique: 3, Current: 2 }, "the counts after the flush");
        Assert.Equal(new CountsView(Current: 2, Peak: 4, Unique: 3, TotalViews: 4), update.Counts);
        Assert.Equal(new SessionCounters(3, 4, 4), await t.Store.GetCountersAsync("s1"));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_message_refused_with_try_again_can_be_retried_at_once_in_slow_mode()
    {
        FlakyStore? flaky = null;
        var t = await LiveCluster.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var grain = t.Session("s1");
        Assert.True((await grain.SetSlowModeAsync(LiveCluster.Moderator, 30)).IsOk);
        flaky!.Down = true;
        Assert.Equal("try_again", (await grain.PostChatAsync(LiveCluster.Member("m"), "hello", "h1")).Error?.Code);
        Assert.Equal("try_again", (await grain.SetSlowModeAsync(LiveCluster.Moderator, 10)).Error?.Code);
        flaky.Down = false;
        var retry = await grain.PostChatAsync(LiveCluster.Member("m"), "hello", "h1");
        Assert.True(retry.IsOk, retry.Error?.Code);
        Assert.Equal(["hello"], (await t.Store.GetChatAfterAsync("s1", 0, 10)).Select(m => m.Text));
        Assert.Equal("slow_mode", (await grain.PostChatAsync(LiveCluster.Member("m"), "again", "h2")).Error?.Code);
        // The failed command changed nothing: slow mode is still 30 s.
        Assert.Equal(30, (await grain.PeekAsync(Caller.Anonymous)).Settings.SlowModeSeconds);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_chat_message_whose_commit_reply_was_lost_is_stored_and_shown_once_after_the_retry()
    {
        FlakyStore? flaky = null;
        var t = await LiveCluster.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var grain = t.Session("s1");
        var relay = t.Relay();
        await using var beat = await relay.KeepReportingAsync(grain, 1);
        flaky!.LoseReplies = true;
        Assert.Equal("try_again", (await grain.PostChatAsync(LiveCluster.Member("m"), "once", "x1")).Error?.Code);
        flaky.LoseReplies = false;
        var retry = await grain.PostChatAsync(LiveCluster.Member("m"), "once", "x1");
        Assert.True(retry.IsOk);
        Assert.Equal(["once"], (await t.Store.GetChatAfterAsync("s1", 0, 10)).Select(m => m.Text));
        var sentinel = await FlushWithSentinelAsync(grain, relay);
        Assert.Equal([retry.Value!.MessageId, sentinel], relay.Chat().Select(m => m.Id));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Reactions_are_acknowledged_with_the_committed_total_and_shown()
    {
        var t = await LiveCluster.StartAsync();
        var grain = t.Session("s1");
        var relay = t.Relay(1);
        await using var beat = await relay.KeepReportingAsync(t.Session("s1", 1), 1);
        var acks = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => t.Session("s1", i % 2).ReactAsync(LiveCluster.Member("r" + i), i % 3 == 0 ? "applause" : "like")));
        Assert.All(acks, a => Assert.True(a.IsOk));
        Assert.Equal("invalid_argument", (await grain.ReactAsync(LiveCluster.Member("x"), "boo")).Error?.Code);
        Assert.Equal("unauthenticated", (await grain.ReactAsync(Caller.Anonymous, "like")).Error?.Code);
        var totals = await t.Store.GetReactionsAsync("s1");
        Assert.Equal(40, totals["like"]);
        Assert.Equal(20, totals["applause"]);
        Assert.Equal(40, acks.Where(a => a.Value!.Kind == "like").Max(a => a.Value!.Total));
        Assert.Equal(20, acks.Where(a => a.Value!.Kind == "applause").Max(a => a.Value!.Total));
        await relay.WaitForAsync(u => u.Reactions is { } r && r["like"] == 40 && r["applause"] == 20, "the totals");
        Assert.Equal(new Dictionary<string, long> { ["like"] = 40, ["applause"] = 20 }, (await grain.PeekAsync(Caller.Anonymous)).Reactions);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task While_a_node_asks_for_a_slow_pace_chat_still_goes_out_at_the_tick_and_reactions_wait_for_the_pace()
    {
        var t = await LiveCluster.StartAsync(options: new LiveOptions { MaxTick = TimeSpan.FromSeconds(5), PresenceExpiry = TimeSpan.FromSeconds(30) });
        var session = t.Session("s1");
        // A node whose fan-out keeps it busy asks for one update per 4 s (the tick is 200 ms).
        var relay = t.Relay();
        relay.IntervalMs = 4000;
        await using var beat = await relay.KeepReportingAsync(session, 1);
        await relay.WaitForAsync(u => u.Counts is not null, "the update of the join");

        var mark = relay.Count;
        var posted = Environment.TickCount64;
        Assert.True((await session.PostChatAsync(LiveCluster.Member("m1"), "hello", "c1")).IsOk);
        await relay.WaitForAsync(u => u.Chat is { Count: > 0 }, "the message", mark);
        var chatArrived = Environment.TickCount64;
        // A message is read and answered: it does not wait for the pace.
        Assert.InRange(chatArrived - posted, 0, 2000);

        mark = relay.Count;
        Assert.True((await session.ReactAsync(LiveCluster.Member("m2"), "like")).IsOk);
        await relay.WaitForAsync(u => u.Reactions is { } r && r.GetValueOrDefault("like") == 1, "the reaction", mark, timeoutMs: 15_000);
        // Counters and reactions do: the next update goes out a paced interval after the last.
        Assert.InRange(Environment.TickCount64 - chatArrived, 3000, 15_000);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Opening_a_round_twice_with_one_command_id_creates_one_round()
    {
        var t = await LiveCluster.StartAsync();
        var grain = t.Session("s1");
        var relay = t.Relay();
        await using var beat = await relay.KeepReportingAsync(grain, 1);
        var one = await grain.OpenRoundAsync(LiveCluster.Organizer, "Q?", ["Yes", "No"], true, false, "same-command");
        var two = await t.Session("s1", 1).OpenRoundAsync(LiveCluster.Organizer, "Q?", ["Yes", "No"], true, false, "same-command");
        Assert.Equal(one.Value!.RoundId, two.Value!.RoundId);
        Assert.Single(await t.Store.GetRoundsAsync("s1"));
        Assert.Equal("invalid_argument", (await grain.OpenRoundAsync(LiveCluster.Organizer, "Q?", ["Only one"], true, false, "c2")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.OpenRoundAsync(LiveCluster.Organizer, "Q?", ["Same", "same"], true, false, "c3")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.OpenRoundAsync(LiveCluster.Organizer, " ", ["A", "B"], true, false, "c5")).Error?.Code);
        Assert.Equal("forbidden", (await grain.OpenRoundAsync(LiveCluster.Moderator, "Q?", ["A", "B"], true, false, "c4")).Error?.Code);
        var update = await relay.WaitForAsync(u => u.Rounds is not null, "the round");
        Assert.Equal(one.Value.RoundId, Assert.Single(update.Rounds!).RoundId);
        await FlushWithSentinelAsync(grain, relay);
        Assert.All(relay.Updates.SelectMany(u => u.Rounds ?? []), r => Assert.Equal(one.Value.RoundId, r.RoundId));
        Assert.Equal(one.Value.RoundId, Assert.Single((await grain.PeekAsync(Caller.Anonymous)).Rounds).RoundId);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_session_whose_scheduled_end_passed_without_going_live_is_over()
    {
        var catalog = new TestCatalog();
        var now = DateTimeOffset.UtcNow;
        catalog.Set("s-past", new SessionSchedule(now.AddHours(-3), now.AddHours(-1)));
        catalog.Set("s-overtime", new SessionSchedule(now.AddHours(-3), now.AddHours(-1)));
        var t = await LiveCluster.StartAsync(catalog: catalog);
        // Set once the cluster is up, so a slow start cannot eat the time before its end.
        catalog.Set("s-soon", new SessionSchedule(now.AddHours(-1), DateTimeOffset.UtcNow.AddSeconds(4)));

        var past = t.Session("s-past");
        Assert.Equal("ended", (await past.PeekAsync(Caller.Anonymous)).Settings.Status);
        Assert.Equal("session_ended", (await past.PostChatAsync(LiveCluster.Member("m"), "anyone?", "p1")).Error?.Code);
        Assert.Equal("session_ended", (await past.ReactAsync(LiveCluster.Member("m"), "like")).Error?.Code);
        Assert.Equal("session_ended", (await past.OpenRoundAsync(LiveCluster.Organizer, "Q?", ["A", "B"], true, false, "q")).Error?.Code);
        Assert.Equal("ended", (await t.Session("s-past", 1).JoinAsync(t.Relay(1).Report(1), "a:x", false, Caller.Anonymous)).Settings.Status);
        Assert.Empty(await t.Store.GetChatAfterAsync("s-past", 0, 10));

        // One the organizer took live runs over its time: it is live until ended.
        var overtime = t.Session("s-overtime");
        Assert.True((await overtime.SetStatusAsync(LiveCluster.Organizer, SessionStatus.Live)).IsOk);
        Assert.Equal("live", (await overtime.PeekAsync(Caller.Anonymous)).Settings.Status);
        Assert.True((await overtime.PostChatAsync(LiveCluster.Member("m"), "still on", "o1")).IsOk);

        // One whose end passes while viewers watch: they are told, and chat stops.
        var soon = t.Session("s-soon");
        var relay = t.Relay();
        await using var beat = await relay.KeepReportingAsync(soon, 1);
        Assert.Equal("scheduled", (await soon.PeekAsync(Caller.Anonymous)).Settings.Status);
        Assert.True((await soon.PostChatAsync(LiveCluster.Member("m"), "before the end", "s1")).IsOk);
        var round = (await soon.OpenRoundAsync(LiveCluster.Organizer, "Before the end?", ["A", "B"], true, false, "soon-round")).Value!;
        Assert.Equal("accepted", (await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v1"), "a", "v1")).Value?.Status);
        await relay.WaitForAsync(u => u.Settings?.Status == "ended", "viewers to be told the session is over", timeoutMs: 20_000);
        Assert.Equal("session_ended", (await soon.PostChatAsync(LiveCluster.Member("m"), "after the end", "s2")).Error?.Code);
        // Its round closes with it: the vote before the end counts, a later one is refused.
        await relay.WaitForAsync(u => u.Rounds?.Any(r => r.RoundId == round.RoundId && r.Status == "closed") == true, "viewers to see the round closed");
        Assert.Equal("round_closed", (await t.Round(round.RoundId).CastAsync(LiveCluster.Member("v2"), "b", "v2")).Error?.Code);
        Assert.Equal(1, (await t.Round(round.RoundId).ViewAsync())!.TotalVotes);
        Assert.Equal("ended", (await soon.PeekAsync(Caller.Anonymous)).Settings.Status);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Moderators_see_the_sanctions_in_force_and_lifting_one_lets_the_person_chat_at_once()
    {
        var t = await LiveCluster.StartAsync();
        var grain = t.Session("s1");
        var other = t.Session("s1", 1);
        Assert.True((await grain.MuteAsync(LiveCluster.Moderator, "m1", LiveRoles.Member, 10)).IsOk);
        Assert.True((await grain.BanAsync(LiveCluster.Moderator, "m2", LiveRoles.Member, true)).IsOk);
        Assert.True((await grain.MuteAsync(LiveCluster.Organizer, "m3", LiveRoles.Member, 60)).IsOk);
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Equal("forbidden", (await grain.GetSanctionsAsync(LiveCluster.Member("m4"))).Error?.Code);
        Assert.Equal("forbidden", (await grain.GetSanctionsAsync(Caller.Anonymous)).Error?.Code);
        var listed = await other.GetSanctionsAsync(LiveCluster.Moderator);
        Assert.True(listed.IsOk);
        Assert.Equal([("m1", "mute", "mod"), ("m3", "mute", "org"), ("m2", "ban", "mod")], listed.Value!.Select(s => (s.UserId, s.Kind, s.SetBy)));
        Assert.InRange(listed.Value![0].Until!.Value - nowMs, 9 * 60_000, 10 * 60_000);
        Assert.InRange(listed.Value![1].Until!.Value - nowMs, 59 * 60_000, 60 * 60_000);
        Assert.Null(listed.Value![2].Until);
        Assert.Equal("muted", (await other.PostChatAsync(LiveCluster.Member("m1"), "hi", "a1")).Error?.Code);
        Assert.Equal("banned", (await other.PostChatAsync(LiveCluster.Member("m2"), "hi", "b1")).Error?.Code);
        var you = (await other.PeekAsync(LiveCluster.Member("m1"))).You;
        Assert.Equal((true, false), (you.Muted, you.Banned));

        Assert.Equal("forbidden", (await grain.MuteAsync(LiveCluster.Member("m4"), "m1", LiveRoles.Member, 0)).Error?.Code);
        Assert.True((await grain.MuteAsync(LiveCluster.Moderator, "m1", LiveRoles.Member, 0)).IsOk);
        Assert.True((await other.PostChatAsync(LiveCluster.Member("m1"), "unmuted", "a2")).IsOk);
        Assert.True((await other.BanAsync(LiveCluster.Moderator, "m2", LiveRoles.Member, false)).IsOk);
        Assert.True((await grain.PostChatAsync(LiveCluster.Member("m2"), "unbanned", "b2")).IsOk);
        Assert.True((await grain.ReactAsync(LiveCluster.Member("m2"), "like")).IsOk);
        you = (await other.PeekAsync(LiveCluster.Member("m2"))).You;
        Assert.Equal((false, false), (you.Muted, you.Banned));

        Assert.Equal([("m3", "mute")], (await grain.GetSanctionsAsync(LiveCluster.Moderator)).Value!.Select(s => (s.UserId, s.Kind)));
        Assert.Equal(["m3"], (await t.Store.GetSanctionsAsync("s1")).Select(s => s.UserId));
        Assert.Equal(["unmuted", "unbanned"], (await t.Store.GetChatAfterAsync("s1", 0, 10)).Select(m => m.Text));
        await t.DisposeAndDeleteAsync();
    }
}
