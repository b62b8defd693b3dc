using Events.Silo.Live;

namespace Events.Silo.Tests;

public sealed class LiveSessionGrainTests
{
    [Fact]
    public async Task Concurrent_chat_is_stored_once_and_broadcast_once_in_id_order()
    {
        var t = await TestEngine.StartAsync();
        var grain = await t.Engine.Sessions.GetAsync("s1");
        var sends = new List<Task<Outcome<ChatAck>>>();
        for (var i = 0; i < 400; i++)
        {
            var author = TestEngine.Member("m" + i % 40);
            var text = "hello " + i;
            var id = "c" + i;
            sends.Add(Task.Run(() => grain.PostChatAsync(author, text, id)));
            sends.Add(Task.Run(() => grain.PostChatAsync(author, text, id))); // a retry
        }
        var acks = await Task.WhenAll(sends);
        Assert.All(acks, a => Assert.True(a.IsOk, a.Error?.Message));
        for (var i = 0; i < acks.Length; i += 2)
        {
            Assert.Equal(acks[i].Value!.MessageId, acks[i + 1].Value!.MessageId);
        }

        var received = new List<ChatView>();
        long lastSeq = 0;
        while (await grain.CollectUpdateAsync() is { } update)
        {
            Assert.Equal(lastSeq + 1, update.Seq);
            lastSeq = update.Seq;
            received.AddRange(update.Chat ?? []);
        }
        Assert.Equal(400, received.Count);
        Assert.Equal(received.Select(m => m.Id).Order(), received.Select(m => m.Id));
        Assert.Equal(400, received.Select(m => m.Id).Distinct().Count());
        Assert.Equal(400, (await t.Store.GetChatAfterAsync("s1", 0, 10_000)).Count);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Chat_refusals_say_why()
    {
        var t = await TestEngine.StartAsync();
        var grain = await t.Engine.Sessions.GetAsync("s1");
        var member = TestEngine.Member("m1");
        Assert.Equal("unauthenticated", (await grain.PostChatAsync(Caller.Anonymous, "hi", "a1")).Error?.Code);
        Assert.Equal("empty_message", (await grain.PostChatAsync(member, "   ", "a2")).Error?.Code);
        Assert.Equal("message_too_long", (await grain.PostChatAsync(member, new string('x', 501), "a3")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.PostChatAsync(member, "nul\0byte", "a9")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.PostChatAsync(member, "lone \uD800 surrogate", "a10")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.PostChatAsync(member, "bell\u0007", "a11")).Error?.Code);
        Assert.True((await grain.PostChatAsync(member, new string('字', 500), "a4")).IsOk);

        Assert.Equal("forbidden", (await grain.SetSlowModeAsync(member, 30)).Error?.Code);
        Assert.True((await grain.SetSlowModeAsync(TestEngine.Moderator, 30)).IsOk);
        var slowed = await grain.PostChatAsync(member, "again", "a5");
        Assert.Equal("slow_mode", slowed.Error?.Code);
        Assert.InRange(slowed.Error!.RetryAfterMs!.Value, 1, 30_000);
        Assert.True((await grain.PostChatAsync(TestEngine.Moderator, "moderators are not slowed", "m1")).IsOk);
        Assert.True((await grain.PostChatAsync(TestEngine.Moderator, "not even twice", "m2")).IsOk);
        Assert.True((await grain.SetSlowModeAsync(TestEngine.Moderator, 0)).IsOk);

        Assert.True((await grain.MuteAsync(TestEngine.Moderator, "m1", 10)).IsOk);
        var muted = await grain.PostChatAsync(member, "muted?", "a6");
        Assert.Equal("muted", muted.Error?.Code);
        Assert.InRange(muted.Error!.RetryAfterMs!.Value, 590_000, 600_000);
        Assert.True((await grain.MuteAsync(TestEngine.Moderator, "m1", 0)).IsOk);
        Assert.True((await grain.PostChatAsync(member, "back", "a7")).IsOk);

        Assert.True((await grain.BanAsync(TestEngine.Moderator, "m1", true)).IsOk);
        Assert.Equal("banned", (await grain.PostChatAsync(member, "banned?", "a8")).Error?.Code);
        Assert.Equal("banned", (await grain.ReactAsync(member, "like")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.MuteAsync(TestEngine.Moderator, "m1", 99_999)).Error?.Code);

        var stored = await t.Store.GetChatAfterAsync("s1", 0, 100);
        Assert.Equal(["字", "moderators are not slowed", "not even twice", "back"], stored.Select(m => m.Text.Length == 500 ? "字" : m.Text));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Moderation_shows_in_the_next_update_and_survives_a_restart()
    {
        var t = await TestEngine.StartAsync();
        var grain = await t.Engine.Sessions.GetAsync("s1");
        var first = (await grain.PostChatAsync(TestEngine.Member("a"), "first", "1")).Value!;
        var second = (await grain.PostChatAsync(TestEngine.Member("b"), "second", "2")).Value!;
        await grain.CollectUpdateAsync();

        Assert.True((await grain.PinAsync(TestEngine.Moderator, second.MessageId)).IsOk);
        Assert.True((await grain.DeleteMessageAsync(TestEngine.Moderator, first.MessageId)).IsOk);
        Assert.Equal("unknown_message", (await grain.DeleteMessageAsync(TestEngine.Moderator, first.MessageId)).Error?.Code);
        Assert.Equal("forbidden", (await grain.DeleteMessageAsync(TestEngine.Member("a"), second.MessageId)).Error?.Code);
        var update = await grain.CollectUpdateAsync();
        Assert.Equal([first.MessageId], update!.Deleted);
        Assert.Equal("second", update.Settings!.Pinned!.Text);
        await t.DisposeAsync();

        var again = await TestEngine.StartAsync(t.Folder);
        var snapshot = await (await again.Engine.Sessions.GetAsync("s1")).PeekAsync(Caller.Anonymous);
        Assert.Equal(["second"], snapshot.Chat.Select(c => c.Text));
        Assert.Equal(second.MessageId, snapshot.Settings.Pinned?.Id);
        await again.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Presence_counts_current_peak_unique_and_total_views()
    {
        var t = await TestEngine.StartAsync(options: new LiveOptions { PresenceFlush = TimeSpan.FromMilliseconds(50) });
        var grain = await t.Engine.Sessions.GetAsync("s1");
        // Three browsers; one of them opens the page twice.
        await grain.JoinAsync("c1", "a:one", Caller.Anonymous);
        await grain.JoinAsync("c2", "a:two", Caller.Anonymous);
        await grain.JoinAsync("c3", "a:one", Caller.Anonymous);
        await grain.JoinAsync("c3", "a:one", Caller.Anonymous); // a repeated join of the same connection
        await grain.JoinAsync("c4", "u:42", TestEngine.Member("42"));
        await grain.LeaveAsync("c2");
        await grain.LeaveAsync("c3");

        var counts = await WaitForCountsAsync(grain, c => c.Unique == 3);
        Assert.Equal(new CountsView(Current: 2, Peak: 4, Unique: 3, TotalViews: 4), counts);
        await t.DisposeAndDeleteAsync();
    }

    private static async Task<CountsView> WaitForCountsAsync(LiveSessionGrain grain, Func<CountsView, bool> done)
    {
        CountsView? last = null;
        for (var i = 0; i < 250; i++)
        {
            if ((await grain.CollectUpdateAsync())?.Counts is { } c)
            {
                last = c;
                if (done(c))
                {
                    return c;
                }
            }
            await Task.Delay(20);
        }
        return last ?? throw new Xunit.Sdk.XunitException("No counts were sent.");
    }

    [Fact]
    public async Task A_message_refused_with_try_again_can_be_retried_at_once_in_slow_mode()
    {
        FlakyStore? flaky = null;
        var t = await TestEngine.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var grain = await t.Engine.Sessions.GetAsync("s1");
        Assert.True((await grain.SetSlowModeAsync(TestEngine.Moderator, 30)).IsOk);
        flaky!.Down = true;
        Assert.Equal("try_again", (await grain.PostChatAsync(TestEngine.Member("m"), "hello", "h1")).Error?.Code);
        flaky.Down = false;
        var retry = await grain.PostChatAsync(TestEngine.Member("m"), "hello", "h1");
        Assert.True(retry.IsOk, retry.Error?.Code);
        Assert.Equal(["hello"], (await t.Store.GetChatAfterAsync("s1", 0, 10)).Select(m => m.Text));
        Assert.Equal("slow_mode", (await grain.PostChatAsync(TestEngine.Member("m"), "again", "h2")).Error?.Code);
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task A_chat_message_whose_commit_reply_was_lost_is_stored_and_shown_once_after_the_retry()
    {
        FlakyStore? flaky = null;
        var t = await TestEngine.StartAsync(wrap: s => flaky = new FlakyStore(s));
        var grain = await t.Engine.Sessions.GetAsync("s1");
        flaky!.LoseReplies = true;
        Assert.Equal("try_again", (await grain.PostChatAsync(TestEngine.Member("m"), "once", "x1")).Error?.Code);
        flaky.LoseReplies = false;
        var retry = await grain.PostChatAsync(TestEngine.Member("m"), "once", "x1");
        Assert.True(retry.IsOk);
        Assert.Equal(["once"], (await t.Store.GetChatAfterAsync("s1", 0, 10)).Select(m => m.Text));
        var shown = new List<ChatView>();
        while (await grain.CollectUpdateAsync() is { } update)
        {
            shown.AddRange(update.Chat ?? []);
        }
        Assert.Equal([retry.Value!.MessageId], shown.Select(m => m.Id));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Reactions_are_acknowledged_with_the_committed_total()
    {
        var t = await TestEngine.StartAsync();
        var grain = await t.Engine.Sessions.GetAsync("s1");
        var acks = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => grain.ReactAsync(TestEngine.Member("r" + i), i % 3 == 0 ? "applause" : "like")));
        Assert.All(acks, a => Assert.True(a.IsOk));
        Assert.Equal("invalid_argument", (await grain.ReactAsync(TestEngine.Member("x"), "boo")).Error?.Code);
        var totals = await t.Store.GetReactionsAsync("s1");
        Assert.Equal(40, totals["like"]);
        Assert.Equal(20, totals["applause"]);
        Assert.Equal(40, acks.Where(a => a.Value!.Kind == "like").Max(a => a.Value!.Total));
        await t.DisposeAndDeleteAsync();
    }

    [Fact]
    public async Task Opening_a_round_twice_with_one_command_id_creates_one_round()
    {
        var t = await TestEngine.StartAsync();
        var grain = await t.Engine.Sessions.GetAsync("s1");
        var one = await grain.OpenRoundAsync(TestEngine.Organizer, "Q?", ["Yes", "No"], true, false, "same-command");
        var two = await grain.OpenRoundAsync(TestEngine.Organizer, "Q?", ["Yes", "No"], true, false, "same-command");
        Assert.Equal(one.Value!.RoundId, two.Value!.RoundId);
        Assert.Single(await t.Store.GetRoundsAsync("s1"));
        Assert.Equal("invalid_argument", (await grain.OpenRoundAsync(TestEngine.Organizer, "Q?", ["Only one"], true, false, "c2")).Error?.Code);
        Assert.Equal("invalid_argument", (await grain.OpenRoundAsync(TestEngine.Organizer, "Q?", ["Same", "same"], true, false, "c3")).Error?.Code);
        Assert.Equal("forbidden", (await grain.OpenRoundAsync(TestEngine.Moderator, "Q?", ["A", "B"], true, false, "c4")).Error?.Code);
        var update = await grain.CollectUpdateAsync();
        Assert.Equal(one.Value.RoundId, Assert.Single(update!.Rounds!).RoundId);
        await t.DisposeAndDeleteAsync();
    }
}
