using System.Collections.Concurrent;
using Events.Silo.Fair;
using Orleans;

namespace Events.Silo.Tests;

/// <summary>The job fair's queues for 1:1 calls: fair under concurrency on two nodes, the per-student limit, skipping, and a node's death.</summary>
public sealed class BoothQueueTests
{
    /// <summary>A node's hand to its people, recording what each person was told.</summary>
    private sealed class RecordingPeer : ICallPeer
    {
        public readonly ConcurrentQueue<(string User, CallSignal Signal)> Told = new();

        public RecordingPeer(IGrainFactory factory) => Reference = factory.CreateObjectReference<ICallPeer>(this);

        public ICallPeer Reference { get; }

        public Task NotifyAsync(string userId, CallSignal signal)
        {
            Told.Enqueue((userId, signal));
            return Task.CompletedTask;
        }

        public CallSignal[] To(string user) => Told.Where(t => t.User == user).Select(t => t.Signal).ToArray();
    }

    private static Caller Rep(string id) => new(id, "Rep " + id, LiveRoles.Member | LiveRoles.CompanyRep);

    private static IBoothQueueGrain Queue(LiveCluster t, string company, int node) => t.Node(node).GetGrain<IBoothQueueGrain>(company);

    [Fact]
    public async Task Many_students_and_representatives_on_two_nodes_each_student_is_called_once_in_the_order_they_joined()
    {
        var t = await LiveCluster.StartAsync();
        try
        {
            var peers = new[] { new RecordingPeer(t.Node(0)), new RecordingPeer(t.Node(1)) };
            const int students = 60;
            // Everyone joins at once, from both nodes.
            var joined = await Task.WhenAll(Enumerable.Range(0, students).Select(i =>
                Queue(t, "acme", i % 2).JoinAsync(LiveCluster.Member("st" + i), peers[i % 2].Reference)));
            Assert.All(joined, j => Assert.True(j.IsOk, j.Error?.Message));
            Assert.Equal(Enumerable.Range(1, students).Select(i => (long)i), joined.Select(j => j.Value!.Ticket).Order());
            Assert.Equal(Enumerable.Range(1, students), joined.Select(j => j.Value!.Position).Order());
            var ownerOf = joined.Select((j, i) => (j.Value!.Ticket, User: "st" + i)).ToDictionary(x => x.Ticket, x => x.User);

            // Six representatives on two nodes call, answer (as the student) and end, as fast as they can, all at once.
            var calledBy = new ConcurrentDictionary<long, string>();
            var order = new ConcurrentQueue<(long Ticket, long LowestWaitingBefore)>();
            async Task WorkAsync(int r)
            {
                var rep = Rep("rep" + r);
                var node = r % 2;
                while (true)
                {
                    var board = await Queue(t, "acme", node).CallNextAsync(rep, peers[node].Reference);
                    if (!board.IsOk)
                    {
                        Assert.Equal("queue_empty", board.Error!.Code);
                        return;
                    }
                    var call = board.Value!.MyCall!;
                    Assert.True(calledBy.TryAdd(call.Ticket, rep.UserId!), $"ticket {call.Ticket} was called twice");
                    Assert.Equal(ownerOf[call.Ticket], call.UserId);
                    // Nobody who joined earlier is still waiting: the board it came with lists no lower waiting number.
                    Assert.DoesNotContain(board.Value.Tickets, b => b.State == TicketStates.Waiting && b.Ticket < call.Ticket);
                    var answered = await Queue(t, "acme", 1 - node).AnswerAsync(LiveCluster.Member(call.UserId), call.Ticket, peers[1 - node].Reference);
                    Assert.True(answered.IsOk, answered.Error?.Message);
                    Assert.True((await Queue(t, "acme", node).SignalAsync(rep, call.Ticket, "offer", "v=0 offer " + call.Ticket, peers[node].Reference)).IsOk);
                    Assert.True((await Queue(t, "acme", node).EndCallAsync(rep, call.Ticket)).IsOk);
                }
            }
            await Task.WhenAll(Enumerable.Range(0, 6).Select(WorkAsync));

            Assert.Equal(students, calledBy.Count);
            Assert.True(calledBy.Values.Distinct().Count() > 1, "the calls were shared among the representatives");
            // Each student was told they were called, and got the offer of their own call only.
            await Eventually.TrueAsync(() => (ownerOf.All(o => peers.Sum(p => p.To(o.Value).Count(s => s.Kind == "called")) == 1)), "every student to be told once");
            foreach (var (ticket, user) in ownerOf)
            {
                await Eventually.TrueAsync(() => (peers.Any(p => p.To(user).Any(s => s.Kind == "offer"))), "the offer to reach " + user);
                Assert.All(peers.SelectMany(p => p.To(user)).Where(s => s.Kind == "offer"), s => Assert.Equal("v=0 offer " + ticket, s.Data));
            }
            var stored = await t.Store.GetQueueAsync("acme", 100);
            Assert.Empty(stored.Active);
            Assert.Equal(students, stored.Finished.Count(f => f.State == TicketStates.Done));
            var view = await Queue(t, "acme", 0).ViewAsync();
            Assert.Empty(view.Waiting);
            Assert.True(view.Staff > 1);
        }
        finally
        {
            await t.DisposeAndDeleteAsync();
        }
    }

    [Fact]
    public async Task A_student_waits_in_at_most_three_queues_even_joining_five_at_once_and_a_stranger_cannot_touch_a_call()
    {
        var t = await LiveCluster.StartAsync();
        try
        {
            var peer = new RecordingPeer(t.Node(0));
            var me = LiveCluster.Member("eager");
            var joins = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Queue(t, "c" + i, i % 2).JoinAsync(me, peer.Reference)));
            Assert.Equal(3, joins.Count(j => j.IsOk));
            Assert.All(joins.Where(j => !j.IsOk), j => Assert.Equal("too_many_queues", j.Error!.Code));
            // Joining again where already waiting gives the same ticket, not a second one.
            var inQueue = joins.Select((j, i) => (j, i)).First(x => x.j.IsOk).i;
            var again = await Queue(t, "c" + inQueue, 0).JoinAsync(me, peer.Reference);
            Assert.Equal(joins[inQueue].Value!.Ticket, again.Value!.Ticket);
            // Leaving one frees a place.
            Assert.True((await Queue(t, "c" + inQueue, 1).LeaveAsync(me)).IsOk);
            var full = joins.Select((j, i) => (j, i)).First(x => !x.j.IsOk).i;
            Assert.True((await Queue(t, "c" + full, 0).JoinAsync(me, peer.Reference)).IsOk);

            Assert.Equal("unauthenticated", (await Queue(t, "c0", 0).JoinAsync(Caller.Anonymous, peer.Reference)).Error!.Code);
            Assert.Equal("forbidden", (await Queue(t, "c0", 0).CallNextAsync(LiveCluster.Member("not-a-rep"), peer.Reference)).Error!.Code);
            t.Catalog.Remove("booth-xyz");
            Assert.Equal("unknown_booth", (await Queue(t, "xyz", 0).JoinAsync(me, peer.Reference)).Error!.Code);

            var rep = Rep("r1");
            var board = (await Queue(t, "c" + full, 1).CallNextAsync(rep, peer.Reference)).Value!;
            Assert.Equal("already_in_call", (await Queue(t, "c" + full, 1).CallNextAsync(rep, peer.Reference)).Error!.Code);
            var ticket = board.MyCall!.Ticket;
            Assert.Equal("not_your_call", (await Queue(t, "c" + full, 0).SignalAsync(LiveCluster.Member("stranger"), ticket, "offer", "x", peer.Reference)).Error!.Code);
            Assert.Equal("not_your_call", (await Queue(t, "c" + full, 0).EndCallAsync(LiveCluster.Member("stranger"), ticket)).Error!.Code);
            Assert.Equal("invalid_argument", (await Queue(t, "c" + full, 0).SignalAsync(rep, ticket, "bye", "x", peer.Reference)).Error!.Code);
            // A signal before the student answered has no call to go to.
            Assert.Equal("not_your_call", (await Queue(t, "c" + full, 0).SignalAsync(rep, ticket, "offer", "x", peer.Reference)).Error!.Code);

            // A deleted account leaves the line at once (the store has ended its ticket already).
            Assert.True((await Queue(t, "c" + full, 0).JoinAsync(LiveCluster.Member("gone"), peer.Reference)).IsOk);
            await t.Store.ForgetMemberAsync("gone", "anon-gone");
            await Queue(t, "c" + full, 1).ForgetAsync("gone");
            Assert.Empty((await Queue(t, "c" + full, 0).ViewAsync()).Waiting);
            Assert.Equal("none", (await Queue(t, "c" + full, 0).MineAsync(LiveCluster.Member("gone"), null)).Value!.State);

            // Closed: nobody new joins, those waiting stay.
            Assert.False((await Queue(t, "c" + full, 0).SetOpenAsync(rep, false)).Value!.Open);
            Assert.Equal("queue_closed", (await Queue(t, "c" + full, 0).JoinAsync(LiveCluster.Member("late"), peer.Reference)).Error!.Code);
            Assert.Equal("called", (await Queue(t, "c" + full, 0).MineAsync(me, null)).Value!.State);
        }
        finally
        {
            await t.DisposeAndDeleteAsync();
        }
    }

    [Fact]
    public async Task A_called_student_who_does_not_answer_in_time_is_skipped_and_both_sides_are_told_and_the_next_keeps_their_place()
    {
        var t = await LiveCluster.StartAsync(fair: new FairOptions { AnswerWithin = TimeSpan.FromSeconds(1) });
        try
        {
            var peer = new RecordingPeer(t.Node(0));
            var queue = Queue(t, "acme", 0);
            Assert.True((await queue.JoinAsync(LiveCluster.Member("asleep"), peer.Reference)).IsOk);
            Assert.True((await queue.JoinAsync(LiveCluster.Member("awake"), peer.Reference)).IsOk);
            var rep = Rep("r1");
            var board = (await queue.CallNextAsync(rep, peer.Reference)).Value!;
            Assert.Equal("asleep", board.MyCall!.UserId);
            await Eventually.TrueAsync(() => peer.To("asleep").Any(s => s.Kind == "called"), "the student to be told they are called");
            var called = peer.To("asleep").Single(s => s.Kind == "called");
            Assert.Equal("Rep r1", called.PeerName);
            Assert.NotNull(called.Deadline);

            await Eventually.TrueAsync(() => (peer.To("asleep").Any(s => s.Kind == "skipped")), "the student to be told they were skipped");
            await Eventually.TrueAsync(() => peer.To("r1").Any(s => s.Kind == "skipped" && s.PeerName == "Member asleep"), "the representative to be told of the skip");
            var mine = (await queue.MineAsync(LiveCluster.Member("asleep"), null)).Value!;
            Assert.Equal(TicketStates.Skipped, mine.State);
            Assert.Equal(1, (await queue.MineAsync(LiveCluster.Member("awake"), null)).Value!.Position);
            Assert.Equal("not_in_queue", (await queue.AnswerAsync(LiveCluster.Member("asleep"), mine.Ticket, peer.Reference)).Error!.Code);

            // The representative is free again and calls the next, who answers in time.
            var next = (await queue.CallNextAsync(rep, peer.Reference)).Value!;
            Assert.Equal("awake", next.MyCall!.UserId);
            Assert.Equal(TicketStates.InCall, (await queue.AnswerAsync(LiveCluster.Member("awake"), next.MyCall.Ticket, peer.Reference)).Value!.State);
            await Eventually.TrueAsync(() => peer.To("r1").Any(s => s.Kind == "answered" && s.Ticket == next.MyCall.Ticket), "the representative to be told of the answer");
            await Task.Delay(1500);
            Assert.Equal(TicketStates.InCall, (await queue.MineAsync(LiveCluster.Member("awake"), null)).Value!.State);
        }
        finally
        {
            await t.DisposeAndDeleteAsync();
        }
    }

    [Fact]
    public async Task A_queue_whose_node_dies_comes_back_from_the_store_in_the_same_order_with_its_call_under_way()
    {
        var t = await LiveCluster.StartAsync();
        try
        {
            var peers = new[] { new RecordingPeer(t.Node(0)), new RecordingPeer(t.Node(1)) };
            var queue = Queue(t, "acme", 0);
            for (var i = 0; i < 5; i++)
            {
                Assert.True((await queue.JoinAsync(LiveCluster.Member("w" + i), peers[0].Reference)).IsOk);
            }
            Assert.True((await queue.LeaveAsync(LiveCluster.Member("w2"))).IsOk);
            var rep = Rep("r1");
            var call = (await queue.CallNextAsync(rep, peers[0].Reference)).Value!.MyCall!;
            Assert.True((await queue.AnswerAsync(LiveCluster.Member("w0"), call.Ticket, peers[0].Reference)).IsOk);
            var host = t.NodeOf(queue);
            var survivor = 1 - host;

            await t.Cluster.KillSiloAsync(t.Nodes[host]);

            var again = Queue(t, "acme", survivor);
            QueueBoard? board = null;
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    board = (await again.BoardAsync(rep)).Value;
                }
                catch (Exception)
                {
                    // The dead node's grains move once the cluster has declared it dead.
                }
                return board is not null;
            }, "the queue to come back", 30_000);
            Assert.Equal(["w0", "w1", "w3", "w4"], board!.Tickets.Select(x => x.UserId));
            Assert.Equal(TicketStates.InCall, board.MyCall!.State);
            Assert.Equal(2, (await again.MineAsync(LiveCluster.Member("w3"), null)).Value!.Position);
            // The call goes on: the student's side speaks again, then the representative's signal reaches it.
            Assert.True((await again.MineAsync(LiveCluster.Member("w0"), peers[survivor].Reference)).IsOk);
            Assert.True((await again.SignalAsync(rep, call.Ticket, "ice", "candidate", peers[survivor].Reference)).IsOk);
            await Eventually.TrueAsync(() => (peers[survivor].To("w0").Any(s => s.Kind == "ice" && s.Data == "candidate")), "the candidate to reach the student");
            Assert.True((await again.EndCallAsync(LiveCluster.Member("w0"), call.Ticket)).IsOk);
            Assert.Equal("w1", (await again.CallNextAsync(rep, peers[survivor].Reference)).Value!.MyCall!.UserId);
        }
        finally
        {
            await t.DisposeAndDeleteAsync();
        }
    }
}
