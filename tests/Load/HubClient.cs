using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;

namespace Events.Load;

/// <summary>
/// A lean client of the SignalR JSON hub protocol (handshake, invocations with ids, completions,
/// pings, record separator 0x1E), written for many thousands of connections in one process: one
/// small receive buffer each, and updates are scanned for the few numbers a scenario needs
/// instead of being deserialized.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1E;
    private static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();

    private readonly WebSocket socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<string>> pending = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly Action<HubClient, ReadOnlyMemory<byte>>? onUpdate;
    private int invocationId;
    private Task? receiving;

    private HubClient(WebSocket socket, Action<HubClient, ReadOnlyMemory<byte>>? onUpdate)
    {
        this.socket = socket;
        this.onUpdate = onUpdate;
    }

    public bool Closed { get; private set; }

    private Exception? Fault { get; set; }

    /// <summary>Free for the scenario: the state it keeps per viewer.</summary>
    public object? Tag { get; set; }

    public static async Task<HubClient> ConnectAsync(Loopback loopback, int port, string? token, Action<HubClient, ReadOnlyMemory<byte>>? onUpdate, CancellationToken cancellationToken)
    {
        var path = "/hubs/live" + (token is null ? "" : "?access_token=" + Uri.EscapeDataString(token));
        var socket = await loopback.ConnectAsync(port, path, cancellationToken);
        var client = new HubClient(socket, onUpdate);
        await socket.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text, true, cancellationToken);
        var buffer = new byte[256];
        var read = await socket.ReceiveAsync(buffer, cancellationToken);
        if (read.Count < 3 || buffer[0] != (byte)'{' || buffer[1] != (byte)'}')
        {
            throw new IOException("Handshake refused: " + Encoding.UTF8.GetString(buffer, 0, read.Count));
        }
        client.receiving = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>How long an invocation or an echo may wait for its answer before it fails (the run goes on, the failure is counted).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Invokes a hub method; <paramref name="argumentsJson"/> is the JSON array of arguments. Returns the completion's raw JSON.</summary>
    public async Task<string> InvokeAsync(string target, string argumentsJson)
    {
        var id = Interlocked.Increment(ref invocationId);
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = tcs;
        await SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"{target}\",\"arguments\":{argumentsJson}}}\u001e"));
        try
        {
            return await tcs.Task.WaitAsync(AnswerTimeout);
        }
        catch (TimeoutException)
        {
            pending.TryRemove(id, out _);
            throw new TimeoutException($"{target} was not answered within {AnswerTimeout.TotalSeconds:0} s.");
        }
    }

    public Task PingAsync() => SendAsync(Ping);

    /// <summary>Sends a frame as it is, expecting no answer.</summary>
    public Task SendFrameAsync(byte[] frame) => SendAsync(frame);

    private TaskCompletionSource? echoWaiter;

    /// <summary>For the baseline's echo server: sends a frame and waits for the next message back.</summary>
    public async Task InvokeEchoAsync(byte[] frame)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        echoWaiter = waiter;
        await SendAsync(frame);
        await waiter.Task.WaitAsync(AnswerTimeout);
    }

    private async Task SendAsync(byte[] frame)
    {
        await sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        var carry = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                var chunk = buffer.AsMemory(0, result.Count);
                while (true)
                {
                    var end = chunk.Span.IndexOf(RecordSeparator);
                    if (end < 0)
                    {
                        carry.Write(chunk.Span);
                        break;
                    }
                    if (carry.WrittenCount > 0)
                    {
                        carry.Write(chunk.Span[..end]);
                        Dispatch(carry.WrittenMemory);
                        carry.Clear();
                    }
                    else
                    {
                        Dispatch(chunk[..end]);
                    }
                    chunk = chunk[(end + 1)..];
                }
            }
        }
        catch (Exception e)
        {
            Fault = e;
        }
        finally
        {
            Closed = true;
            foreach (var p in pending.Values)
            {
                p.TrySetException(new IOException("connection closed", Fault));
            }
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var type = Number(span, "\"type\":"u8);
        if (type == 1)
        {
            if (Interlocked.Exchange(ref echoWaiter, null) is { } waiter)
            {
                waiter.TrySetResult();
                return;
            }
            onUpdate?.Invoke(this, message);
        }
        else if (type == 3)
        {
            var at = span.IndexOf("\"invocationId\":\""u8);
            if (at >= 0)
            {
                var rest = span[(at + 16)..];
                if (Utf8Parser.TryParse(rest, out int id, out _) && pending.TryRemove(id, out var tcs))
                {
                    tcs.TrySetResult(Encoding.UTF8.GetString(span));
                }
            }
        }
        else if (type == 7)
        {
            Closed = true;
        }
    }

    /// <summary>The integer after the first occurrence of <paramref name="key"/> (e.g. <c>"seq":</c>), or -1.</summary>
    public static long Number(ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        var at = message.IndexOf(key);
        return at >= 0 && Utf8Parser.TryParse(message[(at + key.Length)..], out long value, out _) ? value : -1;
    }

    /// <summary>Closes many connections, a thousand at a time.</summary>
    public static async Task DisposeAllAsync(IEnumerable<HubClient> clients)
    {
        foreach (var chunk in clients.Chunk(1000))
        {
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(2000);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
        }
        catch (Exception)
        {
            // Closing is best effort; the socket is released below.
        }
        socket.Abort();
        socket.Dispose();
        if (receiving is not null)
        {
            await receiving;
        }
    }
}
