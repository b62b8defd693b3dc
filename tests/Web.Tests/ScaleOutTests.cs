using Xunit.Abstractions;
using System.Net.Http.Json;
using Events.Silo.Live;
using Events.Silo.Tests.Store;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Events.Web.Tests;

[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<RedisServer>
{
    public const string Name = "Web nodes in an Orleans cluster";
}

/// <summary>
/// Web processes on different ports forming one real Orleans cluster (Redis membership) over one
/// real PostgreSQL server: the scaled-out deployment, with nodes killed, stopped and restarted.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutTests(PostgresServer postgres, RedisServer redis, ITestOutputHelper output)
{
    private const string Session = "contest-final";

    private sealed record TokenResponse(string AccessToken);

    /// <summary>Registers on one node, confirms the address with the mailed link on the other, and signs in there.</summary>
    private static async Task<string> AccountAsync(WebNode registerOn, WebNode loginOn, string email)
    {
        using var http = new HttpClient();
        (await http.PostAsJsonAsync(new Uri(registerOn.BaseUrl, "/api/account/register"), new { email, password = "test-pass-1" })).EnsureSuccessStatusCode();
        var link = Mailbox.Link(await Mailbox.WaitForAsync(registerOn.MailFolder, email), "/account/confirm");
        (await http.GetAsync(new Uri(loginOn.BaseUrl, link.PathAndQuery))).EnsureSuccessStatusCode();
        var login = await http.PostAsJsonAsync(new Uri(loginOn.BaseUrl, "/api/account/login"), new { email, password = "test-pass-1" });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }

    [Fact]
    public async Task Two_nodes_share_counts_chat_and_votes_and_a_killed_node_drops_out()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        var cluster = NodeCluster.Create(connectionString, redis.ConnectionString);
        await using var a = await WebNode.StartAsync("a", cluster);
        await using var b = await WebNode.StartAsync("b", cluster);

        // An account made on one node signs in on the other, and its token works on both.
        var member = await AccountAsync(a, b, "member@test.example");
        using var admin = new HttpClient();
        var organizer = (await (await admin.PostAsJsonAsync(new Uri(b.BaseUrl, "/api/account/login"), new { email = "admin@test.example", password = "admin-pass-1" }))
            .Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;

        var onA = new List<LiveClient>();
        var onB = new List<LiveClient>();
        for (var i = 0; i < 3; i++)
        {
            onA.Add(await LiveClient.JoinAsync(a.HubUrl, Session));
        }
        for (var i = 0; i < 2; i++)
        {
            onB.Add(await LiveClient.JoinAsync(b.HubUrl, Session));
        }
        var everyone = onA.Concat(onB).ToArray();
        await Eventually.TrueAsync(() => everyone.All(v => v.Counts.Current == 5 && v.Counts.Unique == 5), "5 watching at every viewer on both nodes", 20_000);

        // Chat from both nodes reaches every viewer of both, once and in id order.
        var talkerA = await LiveClient.JoinAsync(a.HubUrl, Session, member);
        var talkerB = await LiveClient.JoinAsync(b.HubUrl, Session, member);
        var ids = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            var ack = await (i % 2 == 0 ? talkerA : talkerB).InvokeAsync<ChatAck>("SendChat", Session, "hello " + i, "m" + i);
            Assert.True(ack.Ok, ack.Error?.Code);
            ids.Add(ack.Value!.MessageId);
        }
        // Text with control characters is refused on either node, whichever holds the session's grain.
        foreach (var talker in new[] { talkerA, talkerB })
        {
            Assert.Equal("invalid_argument", (await talker.InvokeAsync<ChatAck>("SendChat", Session, "bell \u0007", "bad-2")).Error?.Code);
        }
        foreach (var v in everyone)
        {
            await Eventually.TrueAsync(() => v.Chat.Count(m => ids.Contains(m.Id)) == 20, "20 messages at a viewer", 20_000);
            Assert.Equal(ids.Order(), v.Chat.Where(m => ids.Contains(m.Id)).Select(m => m.Id));
        }

        // Votes on either node, retried on the other, count once; both nodes' viewers see the tally.
        var org = await LiveClient.JoinAsync(b.HubUrl, Session, organizer);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Audience choice?", ["A", "B"], true, false, "round-1"))).Value!;
        var voters = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => AccountAsync(i % 2 == 0 ? a : b, a, $"voter{i}@test.example")));
        for (var i = 0; i < voters.Length; i++)
        {
            await using var first = await LiveHost.ConnectAsync(i % 2 == 0 ? a.HubUrl : b.HubUrl, voters[i]);
            await using var second = await LiveHost.ConnectAsync(i % 2 == 0 ? b.HubUrl : a.HubUrl, voters[i]);
            var one = await first.InvokeAsync<HubResult<VoteAck>>("CastVote", round.RoundId, "a", "v" + i);
            var two = await second.InvokeAsync<HubResult<VoteAck>>("CastVote", round.RoundId, "a", "v" + i);
            Assert.Equal(("accepted", "accepted"), (one.Value?.Status, two.Value?.Status));
        }
        await Eventually.TrueAsync(() => everyone.All(v => v.Round(round.RoundId)?.TotalVotes == 12), "12 votes at every viewer", 20_000);
        var closed = await org.InvokeAsync<RoundView>("CloseRound", round.RoundId);
        Assert.Equal(12, closed.Value!.TotalVotes);

        // Node B dies: its viewers' connections drop, and A's viewers see them leave the count.
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        b.Kill();
        await Eventually.TrueAsync(() => onA.All(v => v.Counts.Current == 4), "A's viewers count only A's connections (3 viewers and the talker)", 20_000);

        // B's viewers reconnect to A (as the page does, with backoff) and get a snapshot with everything.
        var back = new List<LiveClient>();
        foreach (var _ in onB)
        {
            back.Add(await JoinRetryingAsync(a.HubUrl, Session));
        }
        output.WriteLine($"B's viewers rejoined on A {killedAt.ElapsedMilliseconds} ms after the kill");
        foreach (var v in back)
        {
            Assert.Equal(ids.Order(), v.Snapshot.Chat.Where(m => ids.Contains(m.Id)).Select(m => m.Id));
            Assert.Equal(12, v.Snapshot.Rounds.Single(r => r.RoundId == round.RoundId).TotalVotes);
        }
        await Eventually.TrueAsync(() => onA.Concat(back).All(v => v.Counts.Current == 6), "everyone on A counted once", 20_000);
        await postgres.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_reveal_made_on_either_node_reaches_every_viewer_of_both_at_once()
    {
        var (_, connectionString) = await postgres.CreateDatabaseAsync();
        var cluster = NodeCluster.Create(connectionString, redis.ConnectionString);
        await using var a = await WebNode.StartAsync("a", cluster);
        await using var b = await WebNode.StartAsync("b", cluster);
        using var admin = new HttpClient();
        var token = (await (await admin.PostAsJsonAsync(new Uri(a.BaseUrl, "/api/account/login"), new { email = "admin@test.example", password = "admin-pass-1" }))
            .Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        var deskA = new ContestDesk(await LiveHost.SignInWithFormAsync(a.BaseUrl, "admin@test.example", "admin-pass-1"), ContestDesk.Contest);
        var deskB = new ContestDesk(await LiveHost.SignInWithFormAsync(b.BaseUrl, "admin@test.example", "admin-pass-1"), ContestDesk.Contest);

        // The administrator judges alone here: one full sheet, made on node a.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await deskA.AddJudgeAsync("admin@test.example")).Status);
        var sheet = await deskB.Client.GetStringAsync(deskB.SheetPath);
        var boxes = System.Text.RegularExpressions.Regex.Matches(sheet, "name=\"(score:[^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(80, boxes.Length);
        var typed = boxes.Select((box, i) => (box.Split(':')[1], box.Split(':')[2], (i % 11).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await deskB.ScoreAsync(typed)).Status);
        await using var org = await LiveClient.JoinAsync(a.HubUrl, Session, token);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Audience Choice", null, true, false, "aud", MaxChoices: 3, FromRunningOrder: true))).Value!;
        Assert.Equal("accepted", (await org.InvokeAsync<VoteAck>("CastBallot", round.RoundId, new[] { round.Options[2].Id }, "v1")).Value?.Status);
        Assert.True((await org.InvokeAsync<RoundView>("CloseRound", round.RoundId)).Ok);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await deskA.LockAsync(round.RoundId)).Status);

        var viewers = new List<LiveClient>();
        for (var i = 0; i < 4; i++)
        {
            viewers.Add(await LiveClient.JoinAsync((i % 2 == 0 ? a : b).HubUrl, Session));
        }
        try
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await deskA.RevealAsync(1)).Status);
            await Eventually.TrueAsync(() => viewers.All(v => v.Results?.Shown.Count == 1), "every viewer on both nodes to see the first step", 10_000);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await deskB.RevealAsync(2)).Status);
            await Eventually.TrueAsync(() => viewers.All(v => v.Results?.Shown.Count == 2), "every viewer on both nodes to see the second step", 10_000);
            Assert.Single(viewers.Select(v => string.Join(",", v.Results!.Shown.Select(p => p.Place + ":" + p.Project))).Distinct());
            await using var late = await LiveClient.JoinAsync(b.HubUrl, Session);
            Assert.Equal(viewers[0].Results!.Shown, late.Snapshot.Results!.Shown);
        }
        finally
        {
            foreach (var v in viewers)
            {
                await v.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task On_PostgreSQL_a_roster_imports_all_or_nothing_and_a_member_verifies_against_it()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        await using var node = await WebNode.StartAsync("solo", NodeCluster.Create(connectionString, redis.ConnectionString));
        var organizer = await AdminTokenAsync(node.BaseUrl);
        using var http = new HttpClient { BaseAddress = node.BaseUrl };
        async Task<(System.Net.HttpStatusCode Status, System.Text.Json.JsonElement Body)> ImportAsync(string csv)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/api/roster") { Content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv") };
            request.Headers.Authorization = new("Bearer", organizer);
            var response = await http.SendAsync(request);
            return (response.StatusCode, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
        }
        const string header = "student_number,name,class_year,school,email\n";
        // Duplicates are found by PostgreSQL after the rows are streamed in; they are listed by line with the rest.
        var (status, body) = await ImportAsync(header + "5001,Ma Lin,2016,Arts,\n5002,Bad Year,20,Arts,\n5001,Ma Lin,2016,Arts,\n5003,Gao Yu,2017,Arts,\n");
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal([(3L, "class_year"), (4L, "duplicate")],
            body.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("line").GetInt64(), p.GetProperty("code").GetString())));
        (status, body) = await ImportAsync(header + "5001,Ma Lin,2016,Arts,\n5003,Gao Yu,2017,Arts,\n");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("added").GetInt64());
        (status, body) = await ImportAsync(header + "5001,Ma Lin,2016,Fine Arts,\n");
        Assert.Equal((0L, 1L), (body.GetProperty("added").GetInt64(), body.GetProperty("updated").GetInt64()));

        // A member verifies on the page against the PostgreSQL roster.
        await AccountAsync(node, node, "maling@test.example");
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = node.BaseUrl };
        async Task<string> PostAsync(string page, string handler, Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = LiveHost.AntiforgeryToken(await browser.GetStringAsync(page));
            var response = await browser.PostAsync(page + handler, new FormUrlEncodedContent(fields));
            return System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        }
        await PostAsync("/account/login", "", new() { ["Email"] = "maling@test.example", ["Password"] = "test-pass-1" });
        var verified = await PostAsync("/account/verify", "?handler=Match", new() { ["StudentNumber"] = "5001", ["Name"] = "ma lin", ["ClassYear"] = "2016" });
        Assert.Contains("You are a verified alumnus now", verified);
        Assert.Contains("Fine Arts", verified);
        await postgres.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_database_outage_answers_try_again_and_the_node_recovers_with_nothing_lost()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        await using var node = await WebNode.StartAsync("solo", NodeCluster.Create(connectionString, redis.ConnectionString));
        var member = await AccountAsync(node, node, "outage@test.example");
        using var http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        await using var client = await LiveClient.JoinAsync(node.HubUrl, Session, member);
        var before = await client.InvokeAsync<ChatAck>("SendChat", Session, "before", "c-before");
        Assert.True(before.Ok);

        await postgres.StopAsync();
        try
        {
            var started = Environment.TickCount64;
            var during = await client.InvokeAsync<ChatAck>("SendChat", Session, "during", "c-during");
            Assert.Equal("try_again", during.Error?.Code);
            Assert.True(Environment.TickCount64 - started < 10_000, "the refusal came quickly, not after a hang");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health")).StatusCode);
        }
        finally
        {
            await postgres.StartAgainAsync();
        }

        // The client retries with the same id until the node has reconnected by itself.
        HubResult<ChatAck>? retried = null;
        await Eventually.TrueAsync(() =>
        {
            retried = client.InvokeAsync<ChatAck>("SendChat", Session, "during", "c-during").GetAwaiter().GetResult();
            return retried.Ok;
        }, "the retry succeeds after the database is back", 30_000);
        await Eventually.TrueAsync(() => http.GetAsync("/health").GetAwaiter().GetResult().IsSuccessStatusCode, "healthy again (store and cluster)", 30_000);

        await using var late = await LiveClient.JoinAsync(node.HubUrl, Session);
        Assert.Equal(["before", "during"], late.Snapshot.Chat.Select(m => m.Text).Where(t => t is "before" or "during"));
        Assert.Equal(1, late.Snapshot.Chat.Count(m => m.Text == "during"));
        await postgres.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_node_killed_in_a_vote_storm_loses_no_acknowledged_vote_and_its_voters_finish_on_the_other()
    {
        var (database, connectionString, a, b) = await TwoNodesAsync();
        await using var nodeA = a;
        await using var nodeB = b;
        var organizer = await AdminTokenAsync(a.BaseUrl);
        await using var org = await LiveClient.JoinAsync(a.HubUrl, Session, organizer);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Grand prize?", ["A", "B", "C"], true, false, "storm"))).Value!;
        var voters = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => AccountAsync(a, a, $"storm{i}@test.example")));

        // Every voter votes on B, each with its own id; B is killed while they are at it.
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        var storm = VoteAllAsync(b.HubUrl, voters, round.RoundId, i => "abc"[i % 3].ToString(), i => "vote-" + i, 10, acknowledged);
        await Task.Delay(200);
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        b.Kill();
        await storm;

        // Everyone retries on A with the same id (a client's reconnect to another node): all counted,
        // once. Until the cluster has declared B dead, calls to the grains B held answer try_again.
        long? recoveredAfter = null;
        foreach (var (token, i) in voters.Select((t, i) => (t, i)))
        {
            await using var connection = await LiveHost.ConnectAsync(a.HubUrl, token);
            HubResult<VoteAck>? ack = null;
            await Eventually.TrueAsync(async () =>
            {
                ack = await connection.InvokeAsync<HubResult<VoteAck>>("CastVote", round.RoundId, "abc"[i % 3].ToString(), "vote-" + i);
                Assert.True(ack.Ok || ack.Error?.Code == "try_again", ack.Error?.Code);
                return ack.Ok;
            }, "the vote to be taken on A", 30_000);
            recoveredAfter ??= killedAt.ElapsedMilliseconds;
            Assert.Equal("accepted", ack!.Value?.Status);
            if (acknowledged.TryGetValue(i, out var option))
            {
                Assert.Equal(option, ack.Value!.OptionId);
            }
        }
        var closed = await org.InvokeAsync<RoundView>("CloseRound", round.RoundId);
        await using (var db = Npgsql.NpgsqlDataSource.Create(connectionString))
        {
            await using var count = db.CreateCommand($"SELECT count(*) FROM votes WHERE round_id = '{round.RoundId}'");
            Assert.Equal(40L, (long)(await count.ExecuteScalarAsync())!);
        }
        Assert.Equal(40, closed.Value!.TotalVotes);
        foreach (var option in closed.Value.Options)
        {
            Assert.Equal(Enumerable.Range(0, 40).Count(i => "abc"[i % 3].ToString() == option.Id), option.Votes);
        }
        output.WriteLine($"votes were taken on A again {recoveredAfter} ms after B was killed");
        // A viewer that reconnects to A catches up from the snapshot (the session's grain may have
        // been on B: until the cluster declares B dead, the join answers try_again and the page retries).
        await using var viewer = await JoinRetryingAsync(a.HubUrl, Session);
        output.WriteLine($"a viewer joined on A {killedAt.ElapsedMilliseconds} ms after B was killed");
        Assert.Equal(40, viewer.Snapshot.Rounds.Single(r => r.RoundId == round.RoundId).TotalVotes);
        await postgres.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_node_stopped_with_SIGTERM_finishes_its_commits_hands_its_grains_over_and_exits_0()
    {
        var (database, connectionString, a, b) = await TwoNodesAsync();
        await using var nodeA = a;
        await using var nodeB = b;
        var organizer = await AdminTokenAsync(a.BaseUrl);
        await using var org = await LiveClient.JoinAsync(b.HubUrl, Session, organizer);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Best pitch?", ["A", "B"], true, false, "rolling"))).Value!;
        await using var watcherOnA = await LiveClient.JoinAsync(a.HubUrl, Session);
        var voters = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => AccountAsync(a, a, $"rolling{i}@test.example")));

        // Votes and chat keep arriving on B while it is told to stop.
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        var traffic = VoteAllAsync(b.HubUrl, voters, round.RoundId, i => "ab"[i % 2].ToString(), i => "r-" + i, 15, acknowledged);
        await Task.Delay(150);
        var (exitCode, took) = await b.TerminateAsync(TimeSpan.FromSeconds(30));
        await traffic;
        output.WriteLine($"B exited with {exitCode} {took.TotalMilliseconds:F0} ms after SIGTERM; {acknowledged.Count} votes were acknowledged on B");
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{b.Output}");
        Assert.True(took < TimeSpan.FromSeconds(15), $"took {took}");

        // Everything B acknowledged is counted; the rest is retried on A; no vote counts twice.
        foreach (var (token, i) in voters.Select((t, i) => (t, i)))
        {
            await using var connection = await LiveHost.ConnectAsync(a.HubUrl, token);
            HubResult<VoteAck>? ack = null;
            await Eventually.TrueAsync(async () =>
            {
                ack = await connection.InvokeAsync<HubResult<VoteAck>>("CastVote", round.RoundId, "ab"[i % 2].ToString(), "r-" + i);
                return ack.Ok;
            }, "the vote to be taken on A", 30_000);
            Assert.Equal("accepted", ack!.Value!.Status);
            if (acknowledged.TryGetValue(i, out var option))
            {
                Assert.Equal(option, ack.Value.OptionId);
            }
        }
        await Eventually.TrueAsync(() => watcherOnA.Round(round.RoundId)?.TotalVotes == 30, "A's viewer to see all 30 votes", 20_000);
        await postgres.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_Redis_restart_under_a_running_cluster_loses_nothing_and_a_new_node_joins_afterwards()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        var cluster = NodeCluster.Create(connectionString, redis.ConnectionString);
        await using var a = await WebNode.StartAsync("a", cluster);
        var member = await AccountAsync(a, a, "redis-restart@test.example");
        await using var client = await LiveClient.JoinAsync(a.HubUrl, Session, member);
        Assert.True((await client.InvokeAsync<ChatAck>("SendChat", Session, "before", "rr-before")).Ok);

        await redis.StopAsync();
        try
        {
            // Membership is read from Redis, not every call: the node keeps serving (or answers try_again, never an error).
            HubResult<ChatAck>? during = null;
            await Eventually.TrueAsync(async () =>
            {
                during = await client.InvokeAsync<ChatAck>("SendChat", Session, "during", "rr-during");
                Assert.True(during.Ok || during.Error?.Code == "try_again", during.Error?.Code);
                return during.Ok;
            }, "chat to be taken while Redis is down", 20_000);
        }
        finally
        {
            await redis.StartAgainAsync();
        }
        await using var b = await WebNode.StartAsync("b", cluster);
        await using var onB = await JoinRetryingAsync(b.HubUrl, Session);
        Assert.Equal(["before", "during"], onB.Snapshot.Chat.Select(m => m.Text).Where(t => t is "before" or "during"));
        await Eventually.TrueAsync(() => client.Counts.Current == 2, "a's viewer to count b's", 20_000);
        await postgres.DropDatabaseAsync(database);
    }

    /// <summary>Joins as the page does after a lost connection: again, with a pause, until it works.</summary>
    private static async Task<LiveClient> JoinRetryingAsync(Uri hubUrl, string session)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await LiveClient.JoinAsync(hubUrl, session);
            }
            catch (Exception) when (attempt < 60)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>
    /// Every voter connects to the node and votes once, voter i after i x <paramref name="spacingMs"/>;
    /// the acknowledged choices are recorded. A voter whose node goes away meanwhile gets no answer.
    /// </summary>
    private static Task VoteAllAsync(Uri hubUrl, string[] voters, string roundId, Func<int, string> optionOf, Func<int, string> idOf, int spacingMs,
        System.Collections.Concurrent.ConcurrentDictionary<int, string> acknowledged) =>
        Task.WhenAll(voters.Select(async (token, i) =>
        {
            try
            {
                await Task.Delay(i * spacingMs);
                await using var connection = await LiveHost.ConnectAsync(hubUrl, token);
                var ack = await connection.InvokeAsync<HubResult<VoteAck>>("CastVote", roundId, optionOf(i), idOf(i));
                if (ack.Ok)
                {
                    acknowledged[i] = ack.Value!.OptionId;
                }
            }
            catch (Exception)
            {
                // The node went away under this voter: it retries on another.
            }
        }));

    /// <summary>A fresh database and two nodes of a new cluster on it.</summary>
    private async Task<(string Database, string ConnectionString, WebNode A, WebNode B)> TwoNodesAsync()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        var cluster = NodeCluster.Create(connectionString, redis.ConnectionString);
        var a = await WebNode.StartAsync("a", cluster);
        var b = await WebNode.StartAsync("b", cluster);
        return (database, connectionString, a, b);
    }

    private static async Task<string> AdminTokenAsync(Uri node)
    {
        using var http = new HttpClient();
        var login = await http.PostAsJsonAsync(new Uri(node, "/api/account/login"), new { email = "admin@test.example", password = "admin-pass-1" });
        return (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }
}
