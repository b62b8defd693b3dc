namespace Events.Silo.Tests;

public sealed class GrainDirectoryTests
{
    [Fact]
    public async Task An_idle_session_is_dropped_and_a_later_call_gets_a_fresh_activation_with_the_stored_state()
    {
        var t = await TestEngine.StartAsync(options: new LiveOptions { IdleDeactivation = TimeSpan.FromSeconds(1) });
        var first = await t.Engine.Sessions.GetAsync("s1");
        Assert.True((await first.PostChatAsync(TestEngine.Member("a"), "kept", "k1")).IsOk);
        await first.CollectUpdateAsync();
        await first.JoinAsync("c1", "a:x", Caller.Anonymous);

        await Task.Delay(1100);
        Assert.Equal(0, await t.Engine.Sessions.SweepAsync(TimeSpan.FromSeconds(1))); // a viewer is connected: kept
        await first.LeaveAsync("c1");
        await first.CollectUpdateAsync();
        await Task.Delay(1100);
        Assert.Equal(1, await t.Engine.Sessions.SweepAsync(TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<Grains.GrainDeactivatedException>(() => first.PeekAsync(Caller.Anonymous));

        var snapshot = await t.Engine.Sessions.CallAsync("s1", g => g.PeekAsync(Caller.Anonymous));
        Assert.Equal(["kept"], snapshot.Chat.Select(c => c.Text));
        Assert.NotSame(first, await t.Engine.Sessions.GetAsync("s1"));
        await t.DisposeAndDeleteAsync();
    }
}
