using System.Reflection;
using Events.Silo.Live;
using Events.Silo.Store;
using Events.Web.Live;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

public sealed class StalledStoreTests
{
    /// <summary>The real SQLite store, except that chat appends to one session wait while <see cref="Gate"/> is closed, as a database that stopped answering.</summary>
    public class StallingStore : DispatchProxy
    {
        public ILiveStore Inner { get; set; } = null!;

        public string? StalledSession { get; set; }

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Stalled;

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(ILiveStore.AppendChatAsync) && args![0] is IReadOnlyList<ChatDraft> drafts && drafts[0].SessionId == StalledSession)
            {
                Interlocked.Increment(ref Stalled);
                return StallAsync(drafts);
            }
            return method.Invoke(Inner, args);
        }

        private async Task<IReadOnlyList<ChatAppend>> StallAsync(IReadOnlyList<ChatDraft> drafts)
        {
            await Gate.Task;
            return await Inner.AppendChatAsync(drafts);
        }
    }

    [Fact]
    public async Task A_session_whose_chat_write_stalls_keeps_its_counts_live_and_holds_back_no_other_session()
    {
        StallingStore? stalling = null;
        await using var host = await LiveHost.StartAsync(services: (services, folder) => services.AddSingleton(_ =>
        {
            var proxy = DispatchProxy.Create<ILiveStore, StallingStore>();
            stalling = (StallingStore)(object)proxy;
            stalling.Inner = new SqliteLiveStore(Path.Combine(folder, "live.db"));
            return proxy;
        }));
        const string stuck = "forum-2026-12-open-source";
        const string other = "contest-final";
        var member = await host.CreateAccountAsync("member");
        await using var stuckViewer = await LiveClient.JoinAsync(host, stuck);
        await using var otherViewer = await LiveClient.JoinAsync(host, other);
        await using var stuckSender = await LiveClient.JoinAsync(host, stuck, member.Token);
        stalling!.StalledSession = stuck;

        // A message to the stuck session waits on the store; it is not acknowledged meanwhile.
        var waiting = stuckSender.InvokeAsync<ChatAck>("SendChat", stuck, "held by the store", "m-held");
        await Eventually.TrueAsync(() => Volatile.Read(ref stalling.Stalled) > 0, "the stuck session's chat write to wait on the store");
        Assert.False(waiting.IsCompleted);

        // The stuck session's grain still takes other work: a new viewer is counted and seen.
        await using var another = await LiveClient.JoinAsync(host, stuck);
        await Eventually.TrueAsync(() => stuckViewer.Counts.Current == 3, "the stuck session's viewer to see a third viewer");

        // The other session's chat still reaches its viewer.
        await using var sender = await LiveClient.JoinAsync(host, other, member.Token);
        var sent = await sender.InvokeAsync<ChatAck>("SendChat", other, "still live here", "m-1");
        Assert.True(sent.Ok, sent.Error?.Message);
        await Eventually.TrueAsync(() => otherViewer.Chat.Any(m => m.Text == "still live here"), "chat in the other session to arrive while one session waits");

        // When the store answers again, the held message is acknowledged and shown once.
        stalling.Gate.SetResult();
        var held = await waiting;
        Assert.True(held.Ok, held.Error?.Message);
        await Eventually.TrueAsync(() => stuckViewer.Chat.Any(m => m.Text == "held by the store"), "the held message to arrive");
        Assert.Single(stuckViewer.Chat, m => m.Text == "held by the store");
    }
}
