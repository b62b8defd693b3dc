using System.Reflection;
using Events.Silo.Bus;
using Events.Silo.Live;
using Events.Silo.Store;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

public sealed class BroadcasterTests
{
    /// <summary>The real SQLite store, except that reading one round waits while <see cref="Gate"/> is closed, as a database that stopped answering.</summary>
    public class StallingStore : DispatchProxy
    {
        public ILiveStore Inner { get; set; } = null!;

        public string? StalledRound { get; set; }

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Stalled;

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(ILiveStore.GetRoundAsync) && args![0] is string roundId && roundId == StalledRound)
            {
                Interlocked.Increment(ref Stalled);
                return StallAsync(roundId);
            }
            return method.Invoke(Inner, args);
        }

        private async Task<RoundRecord?> StallAsync(string roundId)
        {
            await Gate.Task;
            return await Inner.GetRoundAsync(roundId);
        }
    }

    [Fact]
    public async Task A_session_waiting_on_a_stalled_store_read_holds_back_no_other_session()
    {
        StallingStore? stalling = null;
        await using var host = await LiveHost.StartAsync(services: (services, folder) => services.AddSingleton(_ =>
        {
            var proxy = DispatchProxy.Create<ILiveStore, StallingStore>();
            stalling = (StallingStore)(object)proxy;
            stalling.Inner = new SqliteLiveStore(Path.Combine(folder, "live.db"));
            return proxy;
        }));
        const string stuck = "forum-2026-11-public-health-career";
        const string other = "contest-final";
        var organizer = await host.CreateAccountAsync("organizer", Accounts.Roles.Organizer);
        var member = await host.CreateAccountAsync("member");
        await using var stuckViewer = await LiveClient.JoinAsync(host, stuck);
        await using var otherViewer = await LiveClient.JoinAsync(host, other);
        await using var organizerClient = await LiveClient.JoinAsync(host, stuck, organizer.Token);
        var opened = await organizerClient.InvokeAsync<RoundView>("OpenRound", stuck, new OpenRoundRequest("Best talk?", ["A", "B"], true, false, "round-1"));
        Assert.True(opened.Ok, opened.Error?.Message);
        var roundId = opened.Value!.RoundId;

        // Another node reports votes for the round: this node's next collection of the stuck
        // session reads the round from the store, and that read does not return.
        stalling!.StalledRound = roundId;
        await host.Services.GetRequiredService<InProcessBus>().ForNode("another-node").PublishAsync(new BusSignal("another-node", stuck, BusSignalKind.TallyChanged, 1, roundId));
        await Eventually.TrueAsync(() => Volatile.Read(ref stalling.Stalled) > 0, "the stuck session's collection to wait on the store");

        // The other session's chat still reaches its viewer.
        await using var sender = await LiveClient.JoinAsync(host, other, member.Token);
        var sent = await sender.InvokeAsync<ChatAck>("SendChat", other, "still live here", "m-1");
        Assert.True(sent.Ok, sent.Error?.Message);
        await Eventually.TrueAsync(() => otherViewer.Chat.Any(m => m.Text == "still live here"), "chat in the other session to arrive while one session waits");

        // When the store answers again (the session's grain waited for it all along, so commands
        // to that session waited too), its viewers get updates again.
        stalling.Gate.SetResult();
        await using var stuckSender = await LiveClient.JoinAsync(host, stuck, member.Token);
        Assert.True((await stuckSender.InvokeAsync<ChatAck>("SendChat", stuck, "after the stall", "m-2")).Ok);
        await Eventually.TrueAsync(() => stuckViewer.Chat.Any(m => m.Text == "after the stall"), "the stuck session's update after the store answers");
    }
}
