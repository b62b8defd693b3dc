using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Events.Silo.Bus;

/// <summary>
/// The embedded bus: one process, delivered in order by one loop so a slow handler cannot
/// reorder signals. Several engines in one process (tests of two nodes) may share one instance,
/// each with its own node id through <see cref="ForNode"/>.
/// </summary>
public sealed class InProcessBus : IAsyncDisposable
{
    private readonly Channel<BusSignal> queue = Channel.CreateBounded<BusSignal>(new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly ILogger logger;
    private readonly Task loop;
    private ImmutableArray<Func<BusSignal, Task>> handlers = [];

    public InProcessBus(ILogger<InProcessBus> logger)
    {
        this.logger = logger;
        loop = Task.Run(RunAsync);
    }

    public ILiveBus ForNode(string nodeId) => new Endpoint(this, nodeId);

    private async Task RunAsync()
    {
        await foreach (var signal in queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (var handler in handlers)
            {
                try
                {
                    await handler(signal).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    logger.LogError(e, "A bus handler failed on {Kind} for session {Session}", signal.Kind, signal.SessionId);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
    }

    private sealed class Endpoint(InProcessBus bus, string nodeId) : ILiveBus
    {
        public string NodeId => nodeId;

        public ValueTask PublishAsync(BusSignal signal)
        {
            bus.queue.Writer.TryWrite(signal with { SentAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
            return ValueTask.CompletedTask;
        }

        public IDisposable Subscribe(Func<BusSignal, Task> handler)
        {
            ImmutableInterlocked.Update(ref bus.handlers, h => h.Add(handler));
            return new Subscription(() => ImmutableInterlocked.Update(ref bus.handlers, h => h.Remove(handler)));
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
