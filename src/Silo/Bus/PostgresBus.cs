using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Events.Silo.Bus;

/// <summary>
/// The bus between nodes over PostgreSQL LISTEN/NOTIFY. One dedicated connection listens (a pooled
/// connection cannot hold a LISTEN); when it breaks it reconnects with jittered backoff, listens
/// again, and hands local handlers a <see cref="BusSignalKind.Resync"/> so grains re-read what they
/// may have missed meanwhile. Publishing uses pooled connections. Signals are small JSON
/// (well under NOTIFY's 8,000-byte limit) and never carry the data itself: the store does.
/// </summary>
public sealed class PostgresBus : ILiveBus, IAsyncDisposable
{
    public const string ChannelName = "events_live";
    private const int MaxPayloadBytes = 7_900;

    private readonly NpgsqlDataSource publisher;
    private readonly string listenConnectionString;
    private readonly ILogger logger;
    private readonly Channel<BusSignal> inbound = Channel.CreateBounded<BusSignal>(new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource stop = new();
    private readonly Task listening;
    private readonly Task dispatching;
    private ImmutableArray<Func<BusSignal, Task>> handlers = [];
    private volatile bool connected;

    public PostgresBus(string connectionString, string nodeId, ILogger<PostgresBus> logger)
    {
        NodeId = nodeId;
        this.logger = logger;
        publisher = NpgsqlDataSource.Create(connectionString);
        // The listening connection stays open for the node's life and must not come from the pool.
        listenConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 10 }.ToString();
        listening = Task.Run(ListenAsync);
        dispatching = Task.Run(DispatchAsync);
    }

    public string NodeId { get; }

    /// <summary>True while the listening connection is up (for the health check).</summary>
    public bool IsListening => connected;

    public async ValueTask PublishAsync(BusSignal signal)
    {
        var payload = JsonSerializer.Serialize(new Wire(signal.NodeId, signal.SessionId, signal.Kind, signal.Value, signal.RoundId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        if (Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            throw new ArgumentException($"A bus signal must stay under {MaxPayloadBytes} bytes.", nameof(signal));
        }
        // A pooled connection may have been cut by a server restart; the pool drops it on its
        // error, so one more attempt runs on a fresh connection.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = publisher.CreateCommand("SELECT pg_notify(@channel, @payload)");
                command.Parameters.AddWithValue("channel", ChannelName);
                command.Parameters.AddWithValue("payload", payload);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                if (attempt < 2)
                {
                    continue;
                }
                // What the signal announced is already committed; other nodes catch up at their next
                // signal or resync. A failed publish must not fail the command that caused it.
                logger.LogWarning(e, "Publishing {Kind} for session {Session} failed", signal.Kind, signal.SessionId);
                return;
            }
        }
    }

    public IDisposable Subscribe(Func<BusSignal, Task> handler)
    {
        ImmutableInterlocked.Update(ref handlers, h => h.Add(handler));
        return new Subscription(() => ImmutableInterlocked.Update(ref handlers, h => h.Remove(handler)));
    }

    private async Task ListenAsync()
    {
        var failures = 0;
        var everConnected = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listenConnectionString);
                await connection.OpenAsync(stop.Token).ConfigureAwait(false);
                connection.Notification += (_, e) =>
                {
                    if (Parse(e.Payload) is { } signal)
                    {
                        inbound.Writer.TryWrite(signal);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop.Token).ConfigureAwait(false);
                }
                connected = true;
                failures = 0;
                if (everConnected)
                {
                    logger.LogInformation("Bus listening again after a break; resyncing");
                    inbound.Writer.TryWrite(new BusSignal(NodeId, "", BusSignalKind.Resync, 0));
                }
                everConnected = true;
                while (!stop.IsCancellationRequested)
                {
                    await connection.WaitAsync(stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                connected = false;
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(failures, 6))) * (0.5 + Random.Shared.NextDouble()));
                logger.LogWarning(e, "The bus's listening connection failed; retrying in {Delay}", delay);
                try
                {
                    await Task.Delay(delay, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        connected = false;
    }

    private async Task DispatchAsync()
    {
        await foreach (var signal in inbound.Reader.ReadAllAsync().ConfigureAwait(false))
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

    private BusSignal? Parse(string payload)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(payload);
            return wire is null ? null : new BusSignal(wire.N, wire.S, wire.K, wire.V, wire.R, wire.T);
        }
        catch (JsonException e)
        {
            logger.LogWarning(e, "Ignored a malformed bus signal");
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        await listening.ConfigureAwait(false);
        inbound.Writer.TryComplete();
        await dispatching.ConfigureAwait(false);
        await publisher.DisposeAsync().ConfigureAwait(false);
        stop.Dispose();
    }

    private sealed record Wire(string N, string S, BusSignalKind K, long V, string? R, long T);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
