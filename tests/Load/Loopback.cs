using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Events.Load;

/// <summary>
/// Opens WebSockets from chosen loopback source addresses (127.0.0.2, 127.0.0.3, ...): each source
/// address has its own ~28,000 ephemeral ports, which is how one machine opens 100,000 connections
/// to one server port. The HTTP upgrade is written by hand because ClientWebSocket cannot bind.
/// </summary>
public sealed class Loopback(int sourceAddresses)
{
    private int next;

    public async Task<WebSocket> ConnectAsync(int port, string pathAndQuery, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref next);
        var source = IPAddress.Parse($"127.0.0.{2 + n % sourceAddresses}");
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
            var head = await ReadHeadAsync(stream, cancellationToken);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                stream.Dispose();
                throw new IOException("Upgrade refused: " + head.Split("\r\n")[0]);
            }
            return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads the response head byte by byte so that no frame after it is swallowed.</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(256);
        var one = new byte[1];
        while (bytes.Count < 8192)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("Closed during the upgrade.");
            }
            bytes.Add(one[0]);
            var c = bytes.Count;
            if (c >= 4 && bytes[c - 4] == '\r' && bytes[c - 3] == '\n' && bytes[c - 2] == '\r' && bytes[c - 1] == '\n')
            {
                return Encoding.ASCII.GetString(bytes.ToArray());
            }
        }
        throw new IOException("Upgrade response too long.");
    }
}
