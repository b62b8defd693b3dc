using Events.Silo.Bus;
using Events.Silo.Grains;
using Events.Silo.Live;
using Events.Silo.Store;
using Events.Silo.Voting;

namespace Events.Silo;

/// <summary>
/// This node's grains: one directory of live sessions and one of vote rounds, wired to the
/// store and the bus. The host reaches grains only through here.
/// </summary>
public sealed class LiveEngine : IAsyncDisposable
{
    public LiveEngine(ILiveStore store, ILiveBus bus, ISessionCatalog catalog, LiveOptions options, TimeProvider clock, LiveMeters? meters = null)
    {
        options.Validate();
        Store = store;
        Bus = bus;
        Catalog = catalog;
        Options = options;
        Rounds = new GrainDirectory<VoteRoundGrain>(id => new VoteRoundGrain(id, store, clock, options, meters, bus));
        Sessions = new GrainDirectory<LiveSessionGrain>(id => new LiveSessionGrain(id, store, bus, clock, options, Rounds, meters));
        this.meters = meters;
        meters?.ObserveViewers(() => Sessions.Active.Sum(g => (long)g.LocalViewers));
        subscription = bus.Subscribe(OnSignalAsync);
    }

    private readonly LiveMeters? meters;

    private readonly IDisposable subscription;

    /// <summary>
    /// Another node changed a session: a session with viewers here refreshes what changed from the
    /// store. Sessions not active here ignore it; they load everything when they activate.
    /// </summary>
    private async Task OnSignalAsync(BusSignal signal)
    {
        if (signal.Kind == BusSignalKind.Resync)
        {
            foreach (var session in Sessions.Active)
            {
                try
                {
                    foreach (var kind in new[] { BusSignalKind.ChatAppended, BusSignalKind.SettingsChanged, BusSignalKind.ReactionsChanged, BusSignalKind.RoundsChanged })
                    {
                        await session.OnRemoteSignalAsync(signal with { Kind = kind, SessionId = session.Key }).ConfigureAwait(false);
                    }
                }
                catch (GrainDeactivatedException)
                {
                    // Dropped meanwhile: a later activation reads the store.
                }
            }
            foreach (var round in Rounds.Active)
            {
                round.MarkStale();
            }
            return;
        }
        if (signal.NodeId == Bus.NodeId)
        {
            return;
        }
        if (signal.SentAtMs > 0)
        {
            meters?.RecordBusLag(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - signal.SentAtMs);
        }
        if (signal.Kind == BusSignalKind.TallyChanged)
        {
            if (signal.RoundId is { } roundId && Rounds.TryGetActive(roundId, out var round))
            {
                round.MarkStale();
            }
            return;
        }
        if (!Sessions.TryGetActive(signal.SessionId, out var grain))
        {
            return;
        }
        try
        {
            await grain.OnRemoteSignalAsync(signal).ConfigureAwait(false);
        }
        catch (GrainDeactivatedException)
        {
            // Dropped meanwhile: a later activation reads the store.
        }
    }

    public ILiveStore Store { get; }

    public ILiveBus Bus { get; }

    public ISessionCatalog Catalog { get; }

    public LiveOptions Options { get; }

    public GrainDirectory<LiveSessionGrain> Sessions { get; }

    public GrainDirectory<VoteRoundGrain> Rounds { get; }

    /// <summary>Drops grains idle for longer than the configured time.</summary>
    public async Task SweepAsync()
    {
        await Sessions.SweepAsync(Options.IdleDeactivation).ConfigureAwait(false);
        await Rounds.SweepAsync(Options.IdleDeactivation).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        subscription.Dispose();
        foreach (var grain in Sessions.Active)
        {
            await grain.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var grain in Rounds.Active)
        {
            await grain.DisposeAsync().ConfigureAwait(false);
        }
    }
}
