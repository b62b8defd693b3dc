using Events.Silo.Contests;
using Events.Silo.Store;

namespace Events.Silo.Tests.Store;

/// <summary>
/// What every <see cref="ILiveStore"/> must do, run against each real engine by a subclass. Each
/// test gets a store on a new, empty database; a second store on the same database plays a second node.
/// </summary>
public abstract class LiveStoreContract : IAsyncLifetime
{
    private readonly List<ILiveStore> opened = [];

    protected ILiveStore Store { get; private set; } = null!;

    /// <summary>Where <see cref="Store"/>'s data lives; open it again to act as another node.</summary>
    protected string Location { get; private set; } = "";

    /// <summary>A new, empty database (or file) that no other test uses; returns what <see cref="Open"/> takes.</summary>
    protected abstract Task<string> CreateEmptyLocationAsync();

    /// <summary>A new store on the location, not yet initialized.</summary>
    protected abstract ILiveStore Open(string location);

    /// <summary>Removes every location this test created; every store on them is disposed by then.</summary>
    protected abstract Task DeleteLocationsAsync();

    public async Task InitializeAsync()
    {
        Location = await CreateEmptyLocationAsync();
        Store = await OpenInitializedAsync(Location);
    }

    public async Task DisposeAsync()
    {
        foreach (var store in opened)
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
        await DeleteLocationsAsync();
    }

    private ILiveStore OpenTracked(string location)
    {
        var store = Open(location);
        opened.Add(store);
        return store;
    }

    private async Task<ILiveStore> OpenInitializedAsync(string location)
    {
        var store = OpenTracked(location);
        await store.InitializeAsync();
        return store;
    }

    private static ChatDraft Draft(string author, string clientId, string text, string session = "s1", long at = 1_000) =>
        new(session, author, "Name " + author, text, clientId, at);

    private static VoteDraft Vote(string voter, string option, string clientId, string round = "r1", long at = 1_000) =>
        new(round, voter, option, clientId, at);

    private static RoundDraft Round(string roundId, string commandId, long openedAt, string session = "s1", string question = "Best project?") =>
        new(roundId, session, question, [new("a", "Alpha"), new("b", "Beta"), new("c", "Gamma")], true, RoundEligibility.Verified, "org", commandId, openedAt);

    // ---- voided ballots ------------------------------------------------------------------------

    [Fact]
    public async Task A_voided_ballot_stays_stored_counts_no_more_and_keeps_its_voter_from_a_second_one()
    {
        await Store.CreateRoundAsync(Round("r1", "cmd1", 1_000));
        await Store.CastVotesAsync([Vote("u1", "a,b", "v1"), Vote("u2", "a", "v2"), Vote("u3", "c", "v3")]);

        var voided = await Store.VoidVotesAsync("r1", ["u1", "u3", "nobody", "u1"], "org", "one device", 2_000);
        Assert.Equal([("u1", "a,b"), ("u3", "c")], voided.Select(v => (v.VoterId, v.OptionId)).OrderBy(v => v.VoterId));
        Assert.Empty(await Store.VoidVotesAsync("r1", ["u1"], "org", "again", 3_000));
        Assert.Equal(["u1", "u3"], await Store.GetVoidedVotersAsync("r1"));
        Assert.Empty(await Store.GetVoidedVotersAsync("r2"));
        Assert.Equal(["u2"], (await Store.GetVotesAsync("r1")).Select(v => v.VoterId));
        var tally = await Store.GetTallyAsync("r1");
        Assert.Equal(1, tally.Ballots);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 1 }, tally.Options);

        // The voided voter's ballot is still theirs: a second one is not written.
        var second = await Store.CastVotesAsync([Vote("u1", "c", "v9")]);
        Assert.False(second[0].Inserted);
        Assert.Equal(1, (await Store.GetTallyAsync("r1")).Ballots);
        // Their own data still lists it.
        Assert.Single((await Store.GetMemberDataAsync("u1")).Votes);
    }

    // ---- contest judging ----------------------------------------------------------------------

    [Fact]
    public async Task Judging_keeps_judges_once_replaces_scores_removes_a_judges_scores_with_them_and_locks_once()
    {
        await Store.AddJudgeAsync("c1", "ja", "Judge A", 1_000);
        await Store.AddJudgeAsync("c1", "ja", "Judge A again", 1_500);
        await Store.AddJudgeAsync("c1", "jb", "Judge B", 2_000);
        await Store.AddJudgeAsync("c2", "ja", "Judge A", 2_000);
        await Store.SaveScoresAsync("c1", "ja", [new("p1", "team", 7), new("p1", "innovation", 9), new("p2", "team", 3)], 3_000);
        await Store.SaveScoresAsync("c1", "ja", [new("p1", "team", 8)], 4_000);
        await Store.SaveScoresAsync("c1", "jb", [new("p1", "team", 1)], 4_000);

        var judging = await Store.GetJudgingAsync("c1");
        Assert.Equal([new JudgeRecord("ja", "Judge A", 1_000), new JudgeRecord("jb", "Judge B", 2_000)], judging.Judges);
        Assert.Equal(
            [("ja", "p1", "innovation", 9), ("ja", "p1", "team", 8), ("ja", "p2", "team", 3), ("jb", "p1", "team", 1)],
            judging.Scores.Select(s => (s.UserId, s.Project, s.Criterion, s.Score)).OrderBy(s => s.UserId).ThenBy(s => s.Project).ThenBy(s => s.Criterion));
        Assert.Equal(4_000, judging.Scores.Single(s => s is { UserId: "ja", Project: "p1", Criterion: "team" }).UpdatedAt);
        Assert.Null(judging.LockedAt);
        Assert.Empty((await Store.GetJudgingAsync("c2")).Scores);

        await Store.RemoveJudgeAsync("c1", "jb");
        judging = await Store.GetJudgingAsync("c1");
        Assert.Equal(["ja"], judging.Judges.Select(j => j.UserId));
        Assert.DoesNotContain(judging.Scores, s => s.UserId == "jb");

        await Store.SetRevealedAsync("c1", 2, 5_000);
        await Store.LockJudgingAsync("c1", "r1", 6_000);
        await Store.LockJudgingAsync("c1", "r2", 7_000);
        judging = await Store.GetJudgingAsync("c1");
        Assert.Equal((6_000L, "r1", 2), (judging.LockedAt!.Value, judging.AudienceRound!, judging.Revealed));
        await Store.SetRevealedAsync("c1", 3, 8_000);
        Assert.Equal(3, (await Store.GetJudgingAsync("c1")).Revealed);
        await Store.LockJudgingAsync("c3", null, 9_000);
        Assert.Equal((9_000L, (string?)null), ((await Store.GetJudgingAsync("c3")).LockedAt!.Value, (await Store.GetJudgingAsync("c3")).AudienceRound));
    }

    // ---- a member's own data ----------------------------------------------------------------

    [Fact]
    public async Task A_members_data_is_listed_and_once_forgotten_kept_under_an_anonymous_id_with_every_count_unchanged()
    {
        await Store.AppendChatAsync([Draft("u1", "c1", "hello"), Draft("u2", "c1", "hi"), Draft("u1", "c2", "bye", session: "s2", at: 2_000)]);
        var deleted = (await Store.AppendChatAsync([Draft("u1", "c3", "oops")]))[0].Message;
        Assert.True(await Store.DeleteChatAsync("s1", deleted.Id, "mod", 3_000));
        await Store.CreateRoundAsync(Round("r1", "cmd1", 1_000, question: "Best pitch?"));
        await Store.CastVotesAsync([Vote("u1", "a", "v1", at: 1_500), Vote("u2", "b", "v2")]);
        await Store.SetSanctionAsync(new Sanction("s1", "u1", SanctionKind.Mute, 9_000, "mod1"), 2_500);
        await Store.RecordPresenceAsync("s1", ["u:u1", "u:u2"], 2, 0, 2, 1_000);
        // u1 waits at one booth and has had a call at another, which u2 (a representative) made.
        Assert.True(await Store.AddTicketAsync(new Fair.QueueTicket("acme", 1, "u1", "Name u1", Fair.TicketStates.Waiting, 1_000), 3));
        Assert.True(await Store.AddTicketAsync(new Fair.QueueTicket("zeta", 1, "u1", "Name u1", Fair.TicketStates.Waiting, 1_000), 3));
        await Store.UpdateTicketAsync(new Fair.QueueTicket("zeta", 1, "u1", "Name u1", Fair.TicketStates.Done, 1_000, 1_100, "u2", "Name u2", 1_200, 1_900));

        var data = await Store.GetMemberDataAsync("u1");
        Assert.Equal([("s1", "hello", false), ("s2", "bye", false), ("s1", "oops", true)], data.Chat.Select(m => (m.SessionId, m.Text, m.Deleted)));
        Assert.Equal(new MemberVote("r1", "s1", "Best pitch?", "a", 1_500), Assert.Single(data.Votes));
        Assert.Equal(new MemberSanction("s1", "Mute", 9_000, 2_500), Assert.Single(data.Sanctions));
        Assert.Equal(new MemberView("s1", 1_000), Assert.Single(data.Viewed));
        Assert.Equal(["acme", "zeta"], data.QueueTickets.Select(t => t.Company));
        Assert.Equal(Fair.TicketStates.Done, data.QueueTickets[1].State);

        var tally = Sorted((await Store.GetTallyAsync("r1")).Options);
        var counters = await Store.GetCountersAsync("s1");
        await Store.ForgetMemberAsync("u1", "anon-1");

        var after = await Store.GetMemberDataAsync("u1");
        Assert.Empty(after.Chat);
        Assert.Empty(after.Votes);
        Assert.Empty(after.Sanctions);
        Assert.Empty(after.Viewed);
        Assert.Empty(after.QueueTickets);
        // What everyone else sees stays: the messages (without the name), the tally, the audience figures.
        Assert.Equal(tally, Sorted((await Store.GetTallyAsync("r1")).Options));
        Assert.Equal(counters, await Store.GetCountersAsync("s1"));
        var recent = await Store.GetRecentChatAsync("s1", 10);
        Assert.Equal([("anon-1", "", "hello"), ("u2", "Name u2", "hi")], recent.Select(m => (m.AuthorId, m.AuthorName, m.Text)));
        Assert.Contains(await Store.GetVotesAsync("r1"), v => v.VoterId == "anon-1" && v.OptionId == "a");
        Assert.Empty(await Store.GetSanctionsAsync("s1"));
        // The one vote per round still holds for the anonymous ballot, and a view under the old key counts anew.
        Assert.Single((await Store.GetMemberDataAsync("anon-1")).Votes);
        Assert.Equal(counters.UniqueViewers + 1, (await Store.RecordPresenceAsync("s1", ["u:u1"], 1, 0, 1, 5_000)).UniqueViewers);
        // The queue forgets the name and lets the place go; the finished call stays in the booth's figures.
        var acme = await Store.GetQueueAsync("acme", 10);
        Assert.Empty(acme.Active);
        Assert.Equal(new Fair.QueueTicket("acme", 1, "anon-1", "", Fair.TicketStates.Left, 1_000, EndedAt: 1_000), Assert.Single(acme.Finished));
        Assert.Equal(new Fair.QueueTicket("zeta", 1, "anon-1", "", Fair.TicketStates.Done, 1_000, 1_100, "u2", "Name u2", 1_200, 1_900), Assert.Single((await Store.GetQueueAsync("zeta", 10)).Finished));
        await Store.ForgetMemberAsync("u2", "anon-2");
        Assert.Equal(("anon-2", ""), (await Store.GetQueueAsync("zeta", 10)).Finished.Select(t => (t.CalledBy, t.CalledByName)).Single());
    }

    private static List<KeyValuePair<string, long>> Sorted(IReadOnlyDictionary<string, long> totals) =>
        totals.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();

    /// <summary>Records with a list inside compare the list by reference, so rounds are compared field by field.</summary>
    private static void AssertSameRound(RoundRecord expected, RoundRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Options = [] }, actual with { Options = [] });
        Assert.Equal(expected.Options, actual.Options);
    }

    // ---- schema ---------------------------------------------------------------------------

    [Fact]
    public async Task Initializing_again_and_from_several_nodes_at_once_is_harmless()
    {
        await Store.SetSlowModeAsync("s1", 5);
        await Store.InitializeAsync();
        await Store.InitializeAsync();
        Assert.Equal(5, (await Store.GetSessionAsync("s1")).SlowModeSeconds);

        // Nodes that start together on an empty database must not trip over each other's CREATE TABLE.
        var location = await CreateEmptyLocationAsync();
        var nodes = Enumerable.Range(0, 4).Select(_ => OpenTracked(location)).ToArray();
        await Task.WhenAll(nodes.Select(n => Task.Run(() => n.InitializeAsync())));
        await nodes[0].SetSlowModeAsync("s1", 7);
        Assert.Equal(7, (await nodes[3].GetSessionAsync("s1")).SlowModeSeconds);
    }

    // ---- streams --------------------------------------------------------------------------

    [Fact]
    public async Task A_stream_key_is_per_session_and_a_new_one_replaces_the_old_for_every_node()
    {
        Assert.Null(await Store.GetStreamKeyAsync("s1"));
        await Store.SetStreamKeyAsync("s1", "first-key", 1_000);
        await Store.SetStreamKeyAsync("s2", "other-key", 1_000);
        await Store.SetStreamKeyAsync("s1", "second-key", 2_000);
        var other = OpenTracked(Location);
        Assert.Equal("second-key", await other.GetStreamKeyAsync("s1"));
        Assert.Equal("other-key", await other.GetStreamKeyAsync("s2"));
    }

    [Fact]
    public async Task Broadcasts_are_kept_in_start_order_with_their_playlist_length_and_end()
    {
        await Store.StartBroadcastAsync("s1", "b2000", 2_000);
        await Store.StartBroadcastAsync("s1", "b1000", 1_000);
        await Store.StartBroadcastAsync("s1", "b1000", 1_500); // a retry changes nothing
        await Store.StartBroadcastAsync("s2", "b1200", 1_200);
        await Store.UpdateBroadcastAsync("s1", "b1000", "index.m3u8", 4.0, ended: false, 1_800);
        await Store.UpdateBroadcastAsync("s1", "b1000", "index.m3u8", 6.5, ended: true, 1_900);
        await Store.UpdateBroadcastAsync("s1", "b1000", "index.m3u8", 6.5, ended: true, 9_999); // the end is kept as first written

        var broadcasts = await OpenTracked(Location).GetBroadcastsAsync("s1");
        Assert.Equal(
            [new BroadcastRecord("s1", "b1000", "index.m3u8", 6.5, 1_000, 1_900), new BroadcastRecord("s1", "b2000", null, 0, 2_000, null)],
            broadcasts);
        Assert.Single(await Store.GetBroadcastsAsync("s2"));
        Assert.Empty(await Store.GetBroadcastsAsync("s3"));

        // The replays: ended broadcasts with a playlist, latest end first.
        await Store.UpdateBroadcastAsync("s2", "b1200", "live.m3u8", 3.0, ended: true, 5_000);
        Assert.Equal(["s2/b1200", "s1/b1000"], (await Store.GetReplaysAsync(10)).Select(b => b.SessionId + "/" + b.BroadcastId));
        Assert.Single(await Store.GetReplaysAsync(1));
    }

    [Fact]
    public async Task A_replay_edit_changes_its_playlist_and_a_hidden_replay_leaves_the_library()
    {
        await Store.StartBroadcastAsync("s1", "b1", 1_000);
        await Store.UpdateBroadcastAsync("s1", "b1", "index.m3u8", 60, ended: true, 61_000);
        await Store.StartBroadcastAsync("s2", "b2", 2_000);
        await Store.UpdateBroadcastAsync("s2", "b2", "index.m3u8", 30, ended: true, 32_000);
        Assert.Equal(2, (await Store.GetReplaysAsync(10)).Count);

        var trimmed = new ReplayEditRecord("s1", "b1", "index.m3u8", 60, 10, 11.5, 50, Hidden: false, 70_000);
        await Store.SetReplayEditAsync(trimmed, "replay-70000.m3u8", 40);
        Assert.Equal(new BroadcastRecord("s1", "b1", "replay-70000.m3u8", 40, 1_000, 61_000), Assert.Single(await OpenTracked(Location).GetBroadcastsAsync("s1")));
        Assert.Equal([trimmed], await Store.GetReplayEditsAsync("s1"));

        // Hidden: out of the library, marked on the broadcast; the original is kept as first recorded.
        var hidden = trimmed with { TrimEnd = null, Hidden = true, UpdatedAt = 80_000, OriginalPlaylist = "other.m3u8" };
        await Store.SetReplayEditAsync(hidden, "replay-80000.m3u8", 50);
        Assert.True(Assert.Single(await Store.GetBroadcastsAsync("s1")).Hidden);
        Assert.Equal(["s2"], (await Store.GetReplaysAsync(10)).Select(b => b.SessionId));
        Assert.Equal([hidden with { OriginalPlaylist = "index.m3u8" }], await Store.GetReplayEditsAsync(null));
        Assert.Empty(await Store.GetReplayEditsAsync("s2"));

        // Shown again, it is back.
        await Store.SetReplayEditAsync(hidden with { Hidden = false }, "replay-80000.m3u8", 50);
        Assert.Equal(2, (await Store.GetReplaysAsync(10)).Count);

        // An uploaded edit replaces the recording: it becomes the original that later trims cut.
        var replaced = new ReplayEditRecord("s1", "b1", "upload-90000.m3u8", 42, 0, 0, null, Hidden: false, 90_000);
        await Store.SetReplayEditAsync(replaced, "upload-90000.m3u8", 42, newOriginal: true);
        Assert.Equal([replaced], await Store.GetReplayEditsAsync("s1"));
        Assert.Equal(("upload-90000.m3u8", 42.0), (Assert.Single(await Store.GetBroadcastsAsync("s1")).Playlist, Assert.Single(await Store.GetBroadcastsAsync("s1")).Seconds));
    }

    [Fact]
    public async Task Markers_are_kept_per_session_in_time_order_and_a_retry_adds_none()
    {
        var second = await Store.AddMarkerAsync("s1", "Q&A", "m2", 2_000);
        var first = await Store.AddMarkerAsync("s1", "Demo", "m1", 1_000);
        await Store.AddMarkerAsync("s2", "Other", "m1", 1_500);
        var retry = await Store.AddMarkerAsync("s1", "Q&A (again)", "m2", 9_000);
        Assert.Equal(second, retry);
        Assert.Equal(new MarkerRecord("s1", "Q&A", "m2", 2_000), retry);
        Assert.Equal([first, second], await OpenTracked(Location).GetMarkersAsync("s1"));
        Assert.Empty(await Store.GetMarkersAsync("s3"));
    }

    [Fact]
    public async Task LiveKit_stages_broadcasts_and_webhook_ids_are_kept()
    {
        Assert.Null(await Store.GetLiveKitStageAsync("s1"));
        await Store.SetLiveKitStageAsync(new LiveKitStageRecord("s1", "session-s1", "IN_1", "rtmp://lk/x", "k1", 1_000));
        await Store.SetLiveKitStageAsync(new LiveKitStageRecord("s1", "session-s1", "IN_2", "rtmp://lk/x", "k2", 2_000));
        Assert.Equal(new LiveKitStageRecord("s1", "session-s1", "IN_2", "rtmp://lk/x", "k2", 2_000), await OpenTracked(Location).GetLiveKitStageAsync("s1"));
        await Store.SetLiveKitStageAsync(new LiveKitStageRecord("s0", "session-s0", "IN_3", "rtmp://lk/x", "k3", 3_000));
        Assert.Equal(["s0", "s1"], await Store.GetLiveKitStageSessionsAsync());

        await Store.StartBroadcastAsync("s1", "b1", 1_000);
        await Store.StartBroadcastAsync("s2", "b2", 2_000);
        await Store.StartBroadcastAsync("s2", "b3", 3_000); // pushed over HTTP: not LiveKit's
        await Store.SetLiveKitBroadcastAsync("s1", "b1", "session-s1", null);
        await Store.SetLiveKitBroadcastAsync("s2", "b2", "session-s2", "EG_2");
        await Store.SetLiveKitBroadcastAsync("s1", "b1", "session-s1", "EG_1");
        await Store.SetLiveKitBroadcastAsync("s1", "b1", "session-s1", null); // a late retry keeps the egress
        Assert.Equal([new LiveKitBroadcastRecord("s1", "b1", "session-s1", "EG_1"), new LiveKitBroadcastRecord("s2", "b2", "session-s2", "EG_2")],
            await Store.GetOpenLiveKitBroadcastsAsync(null));
        Assert.Equal([new LiveKitBroadcastRecord("s2", "b2", "session-s2", "EG_2")], await Store.GetOpenLiveKitBroadcastsAsync("s2"));

        // Ending without a playlist (a failed recording) ends it and leaves no replay; a second end keeps the first.
        await Store.EndBroadcastAsync("s1", "b1", 4_000);
        await Store.EndBroadcastAsync("s1", "b1", 5_000);
        Assert.Equal(4_000, (await Store.GetBroadcastsAsync("s1")).Single().EndedAt);
        Assert.Empty(await Store.GetReplaysAsync(10));
        Assert.Equal(["s2"], (await Store.GetOpenLiveKitBroadcastsAsync(null)).Select(b => b.SessionId));

        Assert.False(await Store.WebhookSeenAsync("EV_1"));
        Assert.True(await Store.RecordWebhookAsync("EV_1", 1_000));
        Assert.True(await Store.WebhookSeenAsync("EV_1"));
        Assert.False(await Store.RecordWebhookAsync("EV_1", 2_000));
        Assert.True(await Store.RecordWebhookAsync("EV_2", 2_000));
        Assert.False(await OpenTracked(Location).RecordWebhookAsync("EV_2", 3_000));
    }

    [Fact]
    public async Task A_replay_gets_the_chat_sent_within_its_window_oldest_first_without_deleted_messages()
    {
        var appended = await Store.AppendChatAsync([
            new ChatDraft("s1", "u1", "One", "before", "c1", 900),
            new ChatDraft("s1", "u1", "One", "first", "c2", 1_000),
            new ChatDraft("s2", "u2", "Two", "other session", "c3", 1_500),
            new ChatDraft("s1", "u2", "Two", "deleted", "c4", 1_600),
            new ChatDraft("s1", "u2", "Two", "last", "c5", 2_000),
            new ChatDraft("s1", "u1", "One", "after", "c6", 2_001),
        ]);
        Assert.True(await Store.DeleteChatAsync("s1", appended[3].Message.Id, "mod", 3_000));
        var window = await OpenTracked(Location).GetChatBetweenAsync("s1", 1_000, 2_000, 100);
        Assert.Equal(["first", "last"], window.Select(m => m.Text));
        Assert.Equal([1_000L, 2_000L], window.Select(m => m.SentAtMs));
        Assert.Equal(["first"], (await Store.GetChatBetweenAsync("s1", 1_000, 2_000, 1)).Select(m => m.Text));
    }

    // ---- session settings and presence ----------------------------------------------------

    [Fact]
    public async Task A_session_starts_with_defaults_and_each_setting_changes_alone()
    {
        Assert.Equal(new SessionSettings(SessionStatus.Scheduled, 0, null), await Store.GetSessionAsync("s1"));
        Assert.Equal(new SessionCounters(0, 0, 0), await Store.GetCountersAsync("s1"));

        await Store.SetSessionStatusAsync("s1", SessionStatus.Live, 1_000);
        await Store.SetSlowModeAsync("s1", 30);
        await Store.SetPinnedAsync("s1", 42);
        Assert.Equal(new SessionSettings(SessionStatus.Live, 30, 42), await Store.GetSessionAsync("s1"));

        await Store.SetPinnedAsync("s1", null);
        await Store.SetSessionStatusAsync("s1", SessionStatus.Ended, 2_000);
        Assert.Equal(new SessionSettings(SessionStatus.Ended, 30, null), await Store.GetSessionAsync("s1"));

        // The first write to a session creates it with the other settings at their defaults.
        await Store.SetPinnedAsync("s2", 7);
        Assert.Equal(new SessionSettings(SessionStatus.Scheduled, 0, 7), await Store.GetSessionAsync("s2"));
        Assert.Equal(new SessionCounters(0, 0, 0), await Store.GetCountersAsync("s1"));
    }

    [Fact]
    public async Task Presence_counts_each_viewer_once_adds_views_and_keeps_the_highest_peak()
    {
        await Store.SetSessionStatusAsync("s1", SessionStatus.Live, 500);

        Assert.Equal(new SessionCounters(2, 3, 2), await Store.RecordPresenceAsync("s1", ["a", "b", "a"], 3, 0, 2, 1_000));
        // Views of the replay count among the views, and apart.
        Assert.Equal(new SessionCounters(3, 5, 2, ReplayViews: 2), await Store.RecordPresenceAsync("s1", ["c", "b"], 2, 2, 1, 2_000));
        var last = await Store.RecordPresenceAsync("s1", [], 0, 0, 9, 3_000);
        Assert.Equal(new SessionCounters(3, 5, 9, ReplayViews: 2), last);
        Assert.Equal(last, await Store.GetCountersAsync("s1"));

        // Viewer keys are per session, and the figures and the settings live side by side.
        Assert.Equal(new SessionCounters(1, 1, 1), await Store.RecordPresenceAsync("s2", ["a"], 1, 0, 1, 4_000));
        await Store.SetSlowModeAsync("s1", 10);
        Assert.Equal(last, await Store.GetCountersAsync("s1"));
        Assert.Equal(new SessionSettings(SessionStatus.Live, 10, null), await Store.GetSessionAsync("s1"));
    }

    // ---- chat -----------------------------------------------------------------------------

    [Fact]
    public async Task Appended_messages_get_increasing_ids_in_input_order()
    {
        var drafts = new[]
        {
            Draft("u1", "c1", "one", at: 1_001),
            // A staff member's message keeps its badge.
            Draft("u2", "c1", "two", at: 1_002) with { Badge = "moderator" },
            Draft("u1", "c2", "elsewhere", session: "s2", at: 1_003),
            Draft("u1", "c3", "three", at: 1_004),
        };
        var appended = await Store.AppendChatAsync(drafts);

        Assert.Equal(drafts.Length, appended.Count);
        for (var i = 0; i < drafts.Length; i++)
        {
            var d = drafts[i];
            Assert.False(appended[i].Duplicate);
            Assert.Equal(new ChatMessage(appended[i].Message.Id, d.SessionId, d.AuthorId, d.AuthorName, d.Text, d.SentAtMs, d.Badge), appended[i].Message);
        }
        var ids = appended.Select(a => a.Message.Id).ToArray();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());

        var later = await Store.AppendChatAsync([Draft("u2", "c9", "four")]);
        Assert.True(later[0].Message.Id > ids.Max());
        Assert.Equal([appended[0].Message, appended[1].Message, appended[3].Message, later[0].Message], await Store.GetRecentChatAsync("s1", 10));
        Assert.Equal([appended[2].Message], await Store.GetRecentChatAsync("s2", 10));
        Assert.Empty(await Store.AppendChatAsync([]));
    }

    [Fact]
    public async Task A_message_sent_again_in_a_later_batch_comes_back_as_the_stored_one()
    {
        var original = (await Store.AppendChatAsync([Draft("u1", "c1", "first") with { Badge = "organizer" }]))[0];
        Assert.Equal("organizer", original.Message.Badge);

        var retry = await Store.AppendChatAsync([Draft("u2", "c2", "other"), Draft("u1", "c1", "first, edited", at: 5_000)]);

        Assert.False(retry[0].Duplicate);
        Assert.True(retry[1].Duplicate);
        Assert.Equal(original.Message, retry[1].Message);
        Assert.True(retry[0].Message.Id > original.Message.Id);

        // The key is (session, author, client id): the same client id elsewhere is another message.
        var others = await Store.AppendChatAsync([Draft("u2", "c1", "same id, other author"), Draft("u1", "c1", "same id, other session", session: "s2")]);
        Assert.All(others, a => Assert.False(a.Duplicate));
        Assert.Equal(["first", "other", "same id, other author"], (await Store.GetRecentChatAsync("s1", 10)).Select(m => m.Text));
    }

    [Fact]
    public async Task A_message_repeated_within_one_batch_is_stored_once_and_the_repeat_is_the_duplicate()
    {
        var appended = await Store.AppendChatAsync([Draft("u1", "c1", "first"), Draft("u2", "c2", "between"), Draft("u1", "c1", "second"), Draft("u1", "c1", "third")]);

        Assert.Equal([false, false, true, true], appended.Select(a => a.Duplicate));
        Assert.Equal("first", appended[0].Message.Text);
        Assert.Equal(appended[0].Message, appended[2].Message);
        Assert.Equal(appended[0].Message, appended[3].Message);
        Assert.True(appended[0].Message.Id < appended[1].Message.Id);
        Assert.Equal([appended[0].Message, appended[1].Message], await Store.GetRecentChatAsync("s1", 10));
    }

    [Fact]
    public async Task A_retry_of_a_deleted_message_is_still_the_duplicate_and_stays_deleted()
    {
        var original = (await Store.AppendChatAsync([Draft("u1", "c1", "oops")]))[0].Message;
        Assert.True(await Store.DeleteChatAsync("s1", original.Id, "mod", 2_000));

        var retry = await Store.AppendChatAsync([Draft("u1", "c1", "oops")]);

        Assert.True(retry[0].Duplicate);
        Assert.Equal(original, retry[0].Message);
        Assert.Empty(await Store.GetRecentChatAsync("s1", 10));
    }

    [Fact]
    public async Task Chat_reads_skip_deleted_messages_and_come_oldest_first()
    {
        var appended = await Store.AppendChatAsync(Enumerable.Range(1, 6).Select(i => Draft("u1", "c" + i, "m" + i)).ToList());
        var elsewhere = (await Store.AppendChatAsync([Draft("u1", "c1", "other session", session: "s2")]))[0].Message;
        var ids = appended.Select(a => a.Message.Id).ToArray();
        Assert.True(await Store.DeleteChatAsync("s1", ids[5], "mod", 2_000));
        Assert.True(await Store.DeleteChatAsync("s1", ids[3], "mod", 2_000));

        // The newest N not deleted, oldest first.
        Assert.Equal(["m2", "m3", "m5"], (await Store.GetRecentChatAsync("s1", 3)).Select(m => m.Text));
        Assert.Equal(["m1", "m2", "m3", "m5"], (await Store.GetRecentChatAsync("s1", 100)).Select(m => m.Text));
        Assert.Empty(await Store.GetRecentChatAsync("s1", 0));
        Assert.Empty(await Store.GetRecentChatAsync("nobody-here", 10));

        Assert.Equal(["m2", "m3", "m5"], (await Store.GetChatAfterAsync("s1", ids[0], 10)).Select(m => m.Text));
        Assert.Equal(["m2", "m3"], (await Store.GetChatAfterAsync("s1", ids[0], 2)).Select(m => m.Text));
        Assert.Equal(["m5"], (await Store.GetChatAfterAsync("s1", ids[2], 10)).Select(m => m.Text));
        Assert.Equal(["m1"], (await Store.GetChatAfterAsync("s1", 0, 1)).Select(m => m.Text));
        Assert.Empty(await Store.GetChatAfterAsync("s1", ids[4], 10));
        Assert.Equal([elsewhere], await Store.GetChatAfterAsync("s2", 0, 10));

        Assert.Equal(appended[1].Message, await Store.GetChatMessageAsync("s1", ids[1]));
        Assert.Null(await Store.GetChatMessageAsync("s1", ids[3]));
        Assert.Null(await Store.GetChatMessageAsync("s2", ids[1]));
        Assert.Null(await Store.GetChatMessageAsync("s1", elsewhere.Id + 1_000));
    }

    [Fact]
    public async Task Deleting_a_message_succeeds_once_and_only_in_its_session()
    {
        var message = (await Store.AppendChatAsync([Draft("u1", "c1", "hello")]))[0].Message;

        Assert.False(await Store.DeleteChatAsync("s2", message.Id, "mod", 1_500));
        Assert.False(await Store.DeleteChatAsync("s1", message.Id + 1_000, "mod", 1_500));
        Assert.True(await Store.DeleteChatAsync("s1", message.Id, "mod", 2_000));
        Assert.False(await Store.DeleteChatAsync("s1", message.Id, "mod", 3_000));
        Assert.Null(await Store.GetChatMessageAsync("s1", message.Id));
    }

    [Fact]
    public async Task Nodes_appending_the_same_messages_at_once_store_each_once_and_agree_on_its_id()
    {
        var other = await OpenInitializedAsync(Location);
        // Both nodes receive every message (a client retrying through another node), in opposite orders.
        var drafts = Enumerable.Range(0, 200).Select(i => Draft("u" + i % 7, "c" + i, "m" + i)).ToArray();
        var batches = drafts.Chunk(20).ToArray();

        var results = await Task.WhenAll(
            Task.Run(async () => await AppendAllAsync(Store, batches)),
            Task.Run(async () => await AppendAllAsync(other, batches.Reverse().Select(b => b.Reverse().ToArray()).ToArray())));

        var byKey = results.SelectMany(r => r).GroupBy(a => (a.Message.AuthorId, a.Message.Text)).ToList();
        Assert.Equal(drafts.Length, byKey.Count);
        Assert.All(byKey, g =>
        {
            Assert.Equal(2, g.Count());
            Assert.Single(g.Select(a => a.Message.Id).Distinct());
            Assert.Single(g, a => !a.Duplicate);
        });
        Assert.Equal(drafts.Length, (await Store.GetRecentChatAsync("s1", 1_000)).Count);

        static async Task<List<ChatAppend>> AppendAllAsync(ILiveStore node, ChatDraft[][] batches)
        {
            var all = new List<ChatAppend>();
            foreach (var batch in batches)
            {
                all.AddRange(await node.AppendChatAsync(batch));
            }
            return all;
        }
    }

    [Fact]
    public async Task A_reader_following_chat_after_its_last_id_misses_nothing_while_two_nodes_write()
    {
        var other = await OpenInitializedAsync(Location);
        var writers = new[] { Store, other }.Select((node, n) => Task.Run(async () =>
        {
            for (var b = 0; b < 40; b++)
            {
                await node.AppendChatAsync(Enumerable.Range(0, 5).Select(i => Draft("node" + n, $"{b}-{i}", $"node{n} {b}-{i}")).ToList());
            }
        })).ToArray();

        var seen = new List<long>();
        var lastId = 0L;
        var writing = Task.WhenAll(writers);
        while (true)
        {
            var finished = writing.IsCompleted;
            var page = await Store.GetChatAfterAsync("s1", lastId, 1_000);
            seen.AddRange(page.Select(m => m.Id));
            lastId = page.Count > 0 ? page[^1].Id : lastId;
            if (finished)
            {
                break;
            }
        }
        await writing;

        var all = (await Store.GetRecentChatAsync("s1", 10_000)).Select(m => m.Id).ToList();
        Assert.Equal(400, all.Count);
        Assert.Equal(all, seen);
    }

    // ---- moderation and reactions ---------------------------------------------------------

    [Fact]
    public async Task Sanctions_are_set_overwritten_removed_and_listed_per_session()
    {
        Assert.Empty(await Store.GetSanctionsAsync("s1"));

        await Store.SetSanctionAsync(new Sanction("s1", "u1", SanctionKind.Mute, 5_000, "mod1"), 1_000);
        Assert.Equal([new Sanction("s1", "u1", SanctionKind.Mute, 5_000, "mod1")], await Store.GetSanctionsAsync("s1"));

        await Store.SetSanctionAsync(new Sanction("s1", "u1", SanctionKind.Mute, null, "mod2"), 2_000);
        await Store.SetSanctionAsync(new Sanction("s1", "u1", SanctionKind.Ban, 9_000, "mod1"), 2_000);
        await Store.SetSanctionAsync(new Sanction("s1", "u2", SanctionKind.Mute, null, "mod1"), 2_000);
        await Store.SetSanctionAsync(new Sanction("s2", "u3", SanctionKind.Ban, null, "mod1"), 2_000);
        Assert.Equal(
            [new Sanction("s1", "u1", SanctionKind.Mute, null, "mod2"), new Sanction("s1", "u1", SanctionKind.Ban, 9_000, "mod1"), new Sanction("s1", "u2", SanctionKind.Mute, null, "mod1")],
            (await Store.GetSanctionsAsync("s1")).OrderBy(s => s.UserId, StringComparer.Ordinal).ThenBy(s => s.Kind));

        await Store.RemoveSanctionAsync("s1", "u1", SanctionKind.Mute);
        await Store.RemoveSanctionAsync("s1", "u1", SanctionKind.Mute);
        await Store.RemoveSanctionAsync("s2", "u2", SanctionKind.Mute);
        Assert.Equal(
            [new Sanction("s1", "u1", SanctionKind.Ban, 9_000, "mod1"), new Sanction("s1", "u2", SanctionKind.Mute, null, "mod1")],
            (await Store.GetSanctionsAsync("s1")).OrderBy(s => s.UserId, StringComparer.Ordinal).ThenBy(s => s.Kind));
        Assert.Equal([new Sanction("s2", "u3", SanctionKind.Ban, null, "mod1")], await Store.GetSanctionsAsync("s2"));
    }

    [Fact]
    public async Task Reactions_add_up_per_kind_and_session()
    {
        Assert.Empty(await Store.GetReactionsAsync("s1"));

        var totals = await Store.AddReactionsAsync("s1", new Dictionary<string, long> { ["heart"] = 2, ["clap"] = 1 });
        Assert.Equal([new("clap", 1), new("heart", 2)], Sorted(totals));

        totals = await Store.AddReactionsAsync("s1", new Dictionary<string, long> { ["heart"] = 3, ["wow"] = 4 });
        Assert.Equal([new("clap", 1), new("heart", 5), new("wow", 4)], Sorted(totals));
        Assert.Equal(Sorted(totals), Sorted(await Store.GetReactionsAsync("s1")));
        Assert.Equal(Sorted(totals), Sorted(await Store.AddReactionsAsync("s1", new Dictionary<string, long>())));

        Assert.Equal([new("heart", 1)], Sorted(await Store.AddReactionsAsync("s2", new Dictionary<string, long> { ["heart"] = 1 })));
        Assert.Equal(Sorted(totals), Sorted(await Store.GetReactionsAsync("s1")));
    }

    // ---- vote rounds and votes ------------------------------------------------------------

    [Fact]
    public async Task Creating_a_round_again_with_the_same_command_id_returns_the_first_round()
    {
        var created = await Store.CreateRoundAsync(Round("r1", "cmd1", 2_000));
        AssertSameRound(new RoundRecord("r1", "s1", "Best project?", [new("a", "Alpha"), new("b", "Beta"), new("c", "Gamma")], true, RoundEligibility.Verified, RoundStatus.Open, 2_000, null), created);

        var retried = await Store.CreateRoundAsync(Round("r1-retry", "cmd1", 3_000, question: "Another question?") with { ShowTally = false });
        AssertSameRound(created, retried);
        Assert.Null(await Store.GetRoundAsync("r1-retry"));
        AssertSameRound(created, await Store.GetRoundAsync("r1"));

        // The command id is per session; and the other eligibility and tally setting come back too.
        var elsewhere = await Store.CreateRoundAsync(new RoundDraft("r2", "s2", "Lunch?", [new("y", "Yes"), new("n", "No")], false, RoundEligibility.Members, "org", "cmd1", 2_500));
        AssertSameRound(new RoundRecord("r2", "s2", "Lunch?", [new("y", "Yes"), new("n", "No")], false, RoundEligibility.Members, RoundStatus.Open, 2_500, null), elsewhere);
        AssertSameRound(elsewhere, await Store.GetRoundAsync("r2"));
        Assert.Null(await Store.GetRoundAsync("no-such-round"));
    }

    [Fact]
    public async Task Rounds_are_listed_per_session_in_the_order_they_opened()
    {
        await Store.CreateRoundAsync(Round("r-late", "cmd-late", 3_000));
        await Store.CreateRoundAsync(Round("r-early", "cmd-early", 1_000));
        await Store.CreateRoundAsync(Round("r-other", "cmd-other", 500, session: "s2"));
        await Store.CreateRoundAsync(Round("r-mid", "cmd-mid", 2_000));

        Assert.Equal(["r-early", "r-mid", "r-late"], (await Store.GetRoundsAsync("s1")).Select(r => r.RoundId));
        Assert.Equal(["r-other"], (await Store.GetRoundsAsync("s2")).Select(r => r.RoundId));
        Assert.Empty(await Store.GetRoundsAsync("s3"));
    }

    [Fact]
    public async Task Closing_a_round_is_idempotent_and_an_unknown_round_cannot_be_closed()
    {
        var created = await Store.CreateRoundAsync(Round("r1", "cmd1", 2_000));

        var closed = await Store.CloseRoundAsync("r1", 5_000);
        AssertSameRound(created with { Status = RoundStatus.Closed, ClosedAtMs = 5_000 }, closed);
        AssertSameRound(closed, await Store.CloseRoundAsync("r1", 6_000));
        AssertSameRound(closed, await Store.GetRoundAsync("r1"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CloseRoundAsync("no-such-round", 7_000));
    }

    [Fact]
    public async Task A_voter_counts_once_per_round_and_a_later_vote_reports_the_first()
    {
        await Store.CreateRoundAsync(Round("r1", "cmd1", 1_000));
        await Store.CreateRoundAsync(Round("r2", "cmd2", 1_000));
        // Not in key order, so the outcomes must follow the input, whatever order the store writes in.
        var first = await Store.CastVotesAsync([Vote("v3", "a", "k3"), Vote("v1", "a", "k1"), Vote("v2", "b", "k2")]);
        Assert.Equal([new VoteOutcome(true, "a", "k3"), new VoteOutcome(true, "a", "k1"), new VoteOutcome(true, "b", "k2")], first);

        var later = await Store.CastVotesAsync([Vote("v4", "c", "k4"), Vote("v1", "c", "k1-again")]);
        Assert.Equal([new VoteOutcome(true, "c", "k4"), new VoteOutcome(false, "a", "k1")], later);

        var within = await Store.CastVotesAsync([Vote("v6", "b", "k6"), Vote("v5", "a", "k5"), Vote("v6", "c", "k6-again"), Vote("v2", "a", "x"), Vote("v2", "c", "y")]);
        Assert.Equal(
            [new VoteOutcome(true, "b", "k6"), new VoteOutcome(true, "a", "k5"), new VoteOutcome(false, "b", "k6"), new VoteOutcome(false, "b", "k2"), new VoteOutcome(false, "b", "k2")],
            within);

        // Another round is another count, for the same voter too.
        Assert.Equal([new VoteOutcome(true, "b", "k-r2")], await Store.CastVotesAsync([Vote("v1", "b", "k-r2", round: "r2")]));

        Assert.Equal(
            [new StoredVote("v1", "a", "k1"), new StoredVote("v2", "b", "k2"), new StoredVote("v3", "a", "k3"), new StoredVote("v4", "c", "k4"), new StoredVote("v5", "a", "k5"), new StoredVote("v6", "b", "k6")],
            (await Store.GetVotesAsync("r1")).OrderBy(v => v.VoterId, StringComparer.Ordinal));
        Assert.Equal([new StoredVote("v1", "b", "k-r2")], await Store.GetVotesAsync("r2"));
        Assert.Empty(await Store.GetVotesAsync("r3"));
        Assert.Empty(await Store.CastVotesAsync([]));
        Assert.Equal([new("a", 3), new("b", 2), new("c", 1)], Sorted((await Store.GetTallyAsync("r1")).Options));
        Assert.Equal(6, (await Store.GetTallyAsync("r1")).Ballots);
        Assert.Equal([new("b", 1)], Sorted((await Store.GetTallyAsync("r2")).Options));
        Assert.Empty((await Store.GetTallyAsync("r3")).Options);
        Assert.Equal(0, (await Store.GetTallyAsync("r3")).Ballots);
    }

    [Fact]
    public async Task A_multi_choice_round_keeps_its_rules_and_its_ballots_count_once_per_chosen_option()
    {
        var draft = Round("r1", "cmd1", 1_000) with
        {
            Options = [new RoundOption("a", "SoilSense", "soil-sense"), new RoundOption("b", "MedLink", "med-link"), new RoundOption("c", "Plain", null)],
            MaxChoices = 2,
            ClosesAtMs = 61_000,
        };
        var created = await Store.CreateRoundAsync(draft);
        Assert.Equal(2, created.MaxChoices);
        Assert.Equal(61_000, created.ClosesAtMs);
        Assert.Equal(["soil-sense", "med-link", null], created.Options.Select(o => o.Project));
        var read = (await Store.GetRoundAsync("r1"))!;
        Assert.Equal((2, 61_000L), (read.MaxChoices, read.ClosesAtMs!.Value));
        Assert.Equal(created.Options, read.Options);
        // A round opened without rules reads back as one choice and no window.
        var plain = await Store.CreateRoundAsync(Round("r2", "cmd2", 1_000));
        Assert.Equal((1, (long?)null), (plain.MaxChoices, plain.ClosesAtMs));

        await Store.CastVotesAsync([Vote("v1", "a,b", "k1"), Vote("v2", "b", "k2"), Vote("v3", "a,c", "k3"), Vote("v4", "a,b", "k4")]);
        var tally = await Store.GetTallyAsync("r1");
        Assert.Equal(4, tally.Ballots);
        Assert.Equal([new("a", 3), new("b", 3), new("c", 1)], Sorted(tally.Options));
        Assert.Equal(new VoteOutcome(false, "a,b", "k1"), (await Store.CastVotesAsync([Vote("v1", "c", "k1-again")]))[0]);
    }

    [Fact]
    public async Task A_closed_or_unknown_round_takes_no_votes_but_still_reports_earlier_ones()
    {
        await Store.CreateRoundAsync(Round("r1", "cmd1", 1_000));
        await Store.CastVotesAsync([Vote("v1", "a", "k1")]);
        await Store.CloseRoundAsync("r1", 2_000);

        var outcomes = await Store.CastVotesAsync([Vote("v2", "b", "k2"), Vote("v1", "c", "k1-again"), Vote("v2", "c", "k2-again"), Vote("v3", "a", "k3", round: "no-such-round")]);

        Assert.Equal(
            [new VoteOutcome(false, "b", "k2", RoundClosed: true), new VoteOutcome(false, "a", "k1"), new VoteOutcome(false, "c", "k2-again", RoundClosed: true), new VoteOutcome(false, "a", "k3", RoundClosed: true)],
            outcomes);
        Assert.Equal([new StoredVote("v1", "a", "k1")], await Store.GetVotesAsync("r1"));
        Assert.Empty(await Store.GetVotesAsync("no-such-round"));
    }

    [Fact]
    public async Task No_vote_is_counted_after_a_close_on_another_node_commits()
    {
        var closer = await OpenInitializedAsync(Location);
        var voters = new[] { Store, await OpenInitializedAsync(Location), await OpenInitializedAsync(Location) };
        // A race: each round gives a store without the guarantee one more chance to be caught.
        for (var round = 0; round < 5; round++)
        {
            var roundId = "r" + round;
            await Store.CreateRoundAsync(Round(roundId, "cmd" + round, 1_000));
            var castSome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // Several nodes keep casting until the round refuses them; a close lands in the middle.
            var casting = voters.Select((node, n) => Task.Run(async () =>
            {
                var inserted = 0;
                for (var b = 0; ; b++)
                {
                    var outcomes = await node.CastVotesAsync(Enumerable.Range(0, 20).Select(i => Vote($"n{n}-{b}-{i}", "a", $"k{n}-{b}-{i}", roundId)).ToList());
                    inserted += outcomes.Count(o => o.Inserted);
                    if (b == 3)
                    {
                        castSome.TrySetResult();
                    }
                    if (outcomes.Any(o => o.RoundClosed))
                    {
                        Assert.All(outcomes, o => Assert.True(o.RoundClosed));
                        return inserted;
                    }
                }
            })).ToArray();
            await castSome.Task;
            await closer.CloseRoundAsync(roundId, 2_000);
            var tallyAtClose = await closer.GetTallyAsync(roundId);
            var inserted = (await Task.WhenAll(casting)).Sum();

            Assert.Equal(inserted, tallyAtClose.Options.Values.Sum());
            Assert.Equal(inserted, tallyAtClose.Ballots);
            Assert.Equal(inserted, (await Store.GetVotesAsync(roundId)).Count);
        }
    }

    [Fact]
    public async Task Nodes_casting_overlapping_batches_at_once_count_each_voter_once()
    {
        var other = await OpenInitializedAsync(Location);
        await Store.CreateRoundAsync(Round("r1", "cmd1", 1_000));
        var voters = Enumerable.Range(0, 300).Select(i => "v" + i.ToString("D3")).ToArray();
        // Opposite orders: the worst case for two writers locking the same keys.
        var results = await Task.WhenAll(
            Task.Run(async () => await CastAllAsync(Store, voters, "a")),
            Task.Run(async () => await CastAllAsync(other, voters.Reverse().ToArray(), "b")));

        var stored = (await Store.GetVotesAsync("r1")).ToDictionary(v => v.VoterId);
        Assert.Equal(voters.Length, stored.Count);
        foreach (var voter in voters)
        {
            var outcomes = results.Select(r => r[voter]).ToArray();
            Assert.Single(outcomes, o => o.Inserted);
            Assert.All(outcomes, o => Assert.Equal((stored[voter].OptionId, stored[voter].ClientVoteId), (o.OptionId, o.ClientVoteId)));
        }

        static async Task<Dictionary<string, VoteOutcome>> CastAllAsync(ILiveStore node, string[] voters, string option)
        {
            var outcomes = new Dictionary<string, VoteOutcome>();
            foreach (var batch in voters.Chunk(25))
            {
                var cast = await node.CastVotesAsync(batch.Select(v => Vote(v, option, option + "-" + v)).ToList());
                for (var i = 0; i < batch.Length; i++)
                {
                    outcomes[batch[i]] = cast[i];
                }
            }
            return outcomes;
        }
    }

    // ---- atomic batches -------------------------------------------------------------------
    // A null where the schema says NOT NULL stands for any row the database refuses: it needs no
    // schema change, and both engines refuse it only when they reach that row.

    [Fact]
    public async Task A_vote_batch_with_a_refused_vote_stores_none_of_it()
    {
        await Store.CreateRoundAsync(Round("r1", "cmd1", 1_000));
        var refused = new VoteDraft("r1", "v2", null!, "k2", 1_000);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.CastVotesAsync([Vote("v1", "a", "k1"), refused, Vote("v3", "a", "k3")]));

        Assert.Empty(await Store.GetVotesAsync("r1"));
        var retry = await Store.CastVotesAsync([Vote("v1", "b", "k1-retry"), Vote("v3", "a", "k3")]);
        Assert.Equal([new VoteOutcome(true, "b", "k1-retry"), new VoteOutcome(true, "a", "k3")], retry);
    }

    [Fact]
    public async Task A_chat_batch_with_a_refused_message_stores_none_of_it()
    {
        var refused = Draft("u2", "c2", null!);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendChatAsync([Draft("u1", "c1", "hello"), refused]));

        Assert.Empty(await Store.GetRecentChatAsync("s1", 10));
        var retry = await Store.AppendChatAsync([Draft("u1", "c1", "hello")]);
        Assert.False(retry[0].Duplicate);
        Assert.Equal([retry[0].Message], await Store.GetRecentChatAsync("s1", 10));
    }

    [Fact]
    public async Task Booth_queue_tickets_are_kept_in_order_and_a_student_holds_at_most_the_limit_even_through_two_nodes_at_once()
    {
        var other = await OpenInitializedAsync(Location);
        Fair.QueueTicket Ticket(string company, long no, string user) => new(company, no, user, "Name " + user, Fair.TicketStates.Waiting, 1_000 + no);
        // Six joins of one student at six booths, half through each node, all at once: three pass.
        var added = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? Store : other).AddTicketAsync(Ticket("c" + i, 1, "u1"), 3)));
        Assert.Equal(3, added.Count(a => a));
        Assert.True(await Store.AddTicketAsync(Ticket("c9", 1, "u2"), 3));
        Assert.True(await Store.AddTicketAsync(Ticket("c9", 2, "u3"), 3));
        Assert.True(await Store.AddTicketAsync(Ticket("c9", 3, "u4"), 3));
        await Store.UpdateTicketAsync(Ticket("c9", 1, "u2") with { State = Fair.TicketStates.Done, CalledAt = 2_000, CalledBy = "rep", CalledByName = "Rep", AnsweredAt = 2_500, EndedAt = 9_000 });
        await other.UpdateTicketAsync(Ticket("c9", 2, "u3") with { State = Fair.TicketStates.Called, CalledAt = 9_500, CalledBy = "rep", CalledByName = "Rep" });
        await Store.SetQueueOpenAsync("c9", false, 10_000);

        var queue = await other.GetQueueAsync("c9", 10);
        Assert.False(queue.Open);
        Assert.Equal(3, queue.LastNo);
        Assert.Equal([2L, 3L], queue.Active.Select(t => t.No));
        Assert.Equal(Ticket("c9", 2, "u3") with { State = Fair.TicketStates.Called, CalledAt = 9_500, CalledBy = "rep", CalledByName = "Rep" }, queue.Active[0]);
        Assert.Equal(Ticket("c9", 1, "u2") with { State = Fair.TicketStates.Done, CalledAt = 2_000, CalledBy = "rep", CalledByName = "Rep", AnsweredAt = 2_500, EndedAt = 9_000 }, Assert.Single(queue.Finished));
        // A finished ticket frees its place.
        Assert.False(await Store.AddTicketAsync(Ticket("c8", 1, "u1"), 3));
        var first = added.Select((a, i) => (a, i)).First(x => x.a).i;
        await Store.UpdateTicketAsync(Ticket("c" + first, 1, "u1") with { State = Fair.TicketStates.Left, EndedAt = 5_000 });
        Assert.True(await Store.AddTicketAsync(Ticket("c8", 1, "u1"), 3));
        // c9: one call of 6.5 s after 0.999 s waiting; one called after 8.498 s and not yet answered (a mean of 4.7485 s, rounded); one waiting.
        var figures = await other.GetQueueFiguresAsync();
        Assert.Equal(new Fair.QueueFigures(1, 0, 0, 4_749, 6_500), figures["c9"]);
        Assert.Equal(new Fair.QueueFigures(0, 0, 1, null, null), figures["c" + first]);
        Assert.False(figures.ContainsKey("nobody"));
        var fresh = await Store.GetQueueAsync("nobody", 10);
        Assert.True(fresh.Open);
        Assert.Empty(fresh.Active);
        Assert.Equal(0, fresh.LastNo);
    }
}
