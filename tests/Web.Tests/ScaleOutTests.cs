using System.Net.Http.Json;
using Events.Silo.Live;
using Events.Silo.Tests.Store;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Events.Web.Tests;

[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "Web nodes on PostgreSQL";
}

/// <summary>Two Web processes on different ports over one real PostgreSQL server: the scaled-out deployment.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutTests(PostgresServer postgres)
{
    private const string Session = "contest-final";

    private sealed record TokenResponse(string AccessToken);

    private static async Task<string> AccountAsync(Uri registerOn, Uri loginOn, string email)
    {
        using var http = new HttpClient();
        (await http.PostAsJsonAsync(new Uri(registerOn, "/api/account/register"), new { email, password = "test-pass-1" })).EnsureSuccessStatusCode();
        var login = await http.PostAsJsonAsync(new Uri(loginOn, "/api/account/login"), new { email, password = "test-pass-1" });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }

    [Fact]
    public async Task Two_nodes_share_counts_chat_and_votes_and_a_killed_node_drops_out()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        await using var a = await WebNode.StartAsync("a", connectionString);
        await using var b = await WebNode.StartAsync("b", connectionString);

        // An account made on one node signs in on the other, and its token works on both.
        var member = await AccountAsync(a.BaseUrl, b.BaseUrl, "member@test.example");
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
        foreach (var v in everyone)
        {
            await Eventually.TrueAsync(() => v.Chat.Count(m => ids.Contains(m.Id)) == 20, "20 messages at a viewer", 20_000);
            Assert.Equal(ids.Order(), v.Chat.Where(m => ids.Contains(m.Id)).Select(m => m.Id));
        }

        // Votes on either node, retried on the other, count once; both nodes' viewers see the tally.
        var org = await LiveClient.JoinAsync(b.HubUrl, Session, organizer);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Audience choice?", ["A", "B"], true, false, "round-1"))).Value!;
        var voters = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => AccountAsync(i % 2 == 0 ? a.BaseUrl : b.BaseUrl, a.BaseUrl, $"voter{i}@test.example")));
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
        b.Kill();
        await Eventually.TrueAsync(() => onA.All(v => v.Counts.Current == 4), "A's viewers count only A's connections (3 viewers and the talker)", 20_000);
        await postgres.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_database_outage_answers_try_again_and_the_node_recovers_with_nothing_lost()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        await using var node = await WebNode.StartAsync("solo", connectionString);
        var member = await AccountAsync(node.BaseUrl, node.BaseUrl, "outage@test.example");
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
        await Eventually.TrueAsync(() => http.GetAsync("/health").GetAwaiter().GetResult().IsSuccessStatusCode, "healthy again (store and bus)", 30_000);

        await using var late = await LiveClient.JoinAsync(node.HubUrl, Session);
        Assert.Equal(["before", "during"], late.Snapshot.Chat.Select(m => m.Text).Where(t => t is "before" or "during"));
        Assert.Equal(1, late.Snapshot.Chat.Count(m => m.Text == "during"));
        await postgres.DropDatabaseAsync(database);
    }

    [Fact]
    public async Task A_node_killed_in_a_vote_storm_loses_no_acknowledged_vote_and_its_voters_finish_on_the_other()
    {
        var (database, connectionString) = await postgres.CreateDatabaseAsync();
        await using var a = await WebNode.StartAsync("a", connectionString);
        await using var b = await WebNode.StartAsync("b", connectionString);
        using var http = new HttpClient();
        var organizer = (await (await http.PostAsJsonAsync(new Uri(a.BaseUrl, "/api/account/login"), new { email = "admin@test.example", password = "admin-pass-1" }))
            .Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        await using var org = await LiveClient.JoinAsync(a.HubUrl, Session, organizer);
        var round = (await org.InvokeAsync<RoundView>("OpenRound", Session, new OpenRoundRequest("Grand prize?", ["A", "B", "C"], true, false, "storm"))).Value!;
        var voters = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => AccountAsync(a.BaseUrl, a.BaseUrl, $"storm{i}@test.example")));

        // Every voter votes on B, each with its own id; B is killed while they are at it.
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        var storm = Task.WhenAll(voters.Select(async (token, i) =>
        {
            try
            {
                await Task.Delay(i * 10);
                await using var connection = await LiveHost.ConnectAsync(b.HubUrl, token);
                var ack = await connection.InvokeAsync<HubResult<VoteAck>>("CastVote", round.RoundId, "abc"[i % 3].ToString(), "vote-" + i);
                if (ack.Ok)
                {
                    acknowledged[i] = ack.Value!.OptionId;
                }
            }
            catch (Exception)
            {
                // The node died under this voter: no acknowledgement.
            }
        }));
        await Task.Delay(200);
        b.Kill();
        await storm;

        // Everyone retries on A with the same id (a client's reconnect to another node): all counted, once.
        foreach (var (token, i) in voters.Select((t, i) => (t, i)))
        {
            await using var connection = await LiveHost.ConnectAsync(a.HubUrl, token);
            var ack = await connection.InvokeAsync<HubResult<VoteAck>>("CastVote", round.RoundId, "abc"[i % 3].ToString(), "vote-" + i);
            Assert.Equal("accepted", ack.Value?.Status);
            if (acknowledged.TryGetValue(i, out var option))
            {
                Assert.Equal(option, ack.Value!.OptionId);
            }
        }
        var closed = await org.InvokeAsync<RoundView>("CloseRound", round.RoundId);
        Assert.Equal(40, closed.Value!.TotalVotes);
        foreach (var option in closed.Value.Options)
        {
            Assert.Equal(Enumerable.Range(0, 40).Count(i => "abc"[i % 3].ToString() == option.Id), option.Votes);
        }
        // A viewer that reconnects to A catches up from the snapshot.
        await using var viewer = await LiveClient.JoinAsync(a.HubUrl, Session);
        Assert.Equal(40, viewer.Snapshot.Rounds.Single(r => r.RoundId == round.RoundId).TotalVotes);
        await postgres.DropDatabaseAsync(database);
    }
}
