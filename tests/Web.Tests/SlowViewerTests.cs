using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Events.Silo.Live;
using Events.Web.Tests.Infrastructure;

namespace Events.Web.Tests;

/// <summary>A viewer whose device stops reading must not hold back the others, and is let go.</summary>
public sealed class SlowViewerTests
{
    private const string Session = "forum-2026-12-open-source";

    [Fact]
    public async Task A_viewer_that_stops_reading_does_not_delay_the_others_and_is_disconnected()
    {
        await using var host = await LiveHost.StartAsync();
        using var stalled = await JoinAndStopReadingAsync(host);
        await using var viewer = await LiveClient.JoinAsync(host, Session);
        await Eventually.TrueAsync(() => viewer.Counts.Current == 2, "both viewers counted");

        // A flood of long messages from several members: far more than the stalled viewer's buffers
        // hold (the kernel's send buffer on loopback grows to 4 MB).
        var senders = new List<LiveClient>();
        for (var i = 0; i < 8; i++)
        {
            senders.Add(await LiveClient.JoinAsync(host, Session, (await host.CreateAccountAsync("talker")).Token));
        }
        await Eventually.TrueAsync(() => viewer.Counts.Current == 10, "ten viewers counted");
        var text = new string('x', 490);
        var acked = 0;
        var started = Environment.TickCount64;
        await Task.WhenAll(senders.Select(async (sender, s) =>
        {
            // Until the stalled viewer is let go (or 45 s): how much it takes depends on the kernel's buffers.
            for (var n = 0; viewer.Counts.Current == 10 && Environment.TickCount64 - started < 45_000; n++)
            {
                var ack = await sender.InvokeAsync<ChatAck>("SendChat", Session, text, $"m{s}-{n}");
                Assert.True(ack.Ok, ack.Error?.Code);
                Interlocked.Increment(ref acked);
            }
        }));

        // The reading viewer has everything within moments of the last send.
        await Eventually.TrueAsync(() => viewer.Chat.Count >= acked, $"all {acked} messages at the reading viewer within 5 s of the last send", 5_000);

        // The stalled one is cut off (its sends stall past the transport send timeout) and leaves
        // the audience: the others see ten viewers become nine.
        await Eventually.TrueAsync(() => viewer.Counts.Current == 9, $"the stalled viewer disconnected after {acked} messages ({acked * 0.5:F0} KB)", 15_000);
        Assert.Equal(10, viewer.Counts.Peak);
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }

    /// <summary>Connects over a socket with a tiny receive buffer, joins, and never reads again.</summary>
    private static async Task<Socket> JoinAndStopReadingAsync(LiveHost host)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.BaseUrl.Port));
        var stream = new NetworkStream(socket, ownsSocket: false);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /hubs/live HTTP/1.1\r\nHost: {host.BaseUrl.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            Assert.Equal(1, await stream.ReadAsync(one));
            head.Add(one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(head.ToArray()));
        var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        await ws.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinSession\",\"arguments\":[\"{Session}\"]}}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        return socket;
    }
}
