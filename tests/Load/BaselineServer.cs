using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Events.Load;

/// <summary>
/// The machine's physical limit to compare against: bare Kestrel WebSockets, no SignalR, no
/// grains. It echoes every message and, on request, sends pre-encoded frames shaped like the
/// platform's updates (same target, a growing "seq", the same size) to every socket.
/// </summary>
public static class BaselineServer
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        var sockets = new ConcurrentDictionary<WebSocket, byte>();

        app.Map("/hubs/live", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            sockets[socket] = 0;
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var r = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                    // The handshake is answered like SignalR's so the same client can connect; everything else is echoed.
                    if (buffer.AsSpan(0, r.Count).StartsWith("{\"protocol\""u8))
                    {
                        await socket.SendAsync("{}\u001e"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
                        continue;
                    }
                    await socket.SendAsync(buffer.AsMemory(0, r.Count), WebSocketMessageType.Text, r.EndOfMessage, CancellationToken.None);
                }
            }
            catch (Exception)
            {
                // A client that vanished.
            }
            finally
            {
                sockets.TryRemove(socket, out _);
            }
        });

        // intervalMs = 0: every frame to every socket as fast as possible (frames queue up and share
        // syscalls); intervalMs > 0: one frame to every socket per interval, paced like the platform's tick.
        app.MapPost("/broadcast", async (int count, int size, int? intervalMs) =>
        {
            var frames = Enumerable.Range(1, count).Select(seq => Frame(seq, size)).ToArray();
            var clock = Stopwatch.StartNew();
            if (intervalMs is > 0)
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(intervalMs.Value));
                foreach (var frame in frames)
                {
                    await Task.WhenAll(sockets.Keys.Select(async s =>
                    {
                        try
                        {
                            await s.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                        }
                        catch (Exception)
                        {
                            // Counted as loss by the generator.
                        }
                    }));
                    await timer.WaitForNextTickAsync();
                }
                return Results.Ok(new { sockets = sockets.Count, ms = clock.ElapsedMilliseconds });
            }
            await Task.WhenAll(sockets.Keys.Select(async s =>
            {
                try
                {
                    foreach (var frame in frames)
                    {
                        await s.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                    }
                }
                catch (Exception)
                {
                    // Counted as loss by the generator.
                }
            }));
            return Results.Ok(new { sockets = sockets.Count, ms = clock.ElapsedMilliseconds });
        });
        app.MapGet("/stats", () => Results.Ok(new { sockets = sockets.Count }));
        await app.RunAsync();
    }

    /// <summary>An update-shaped frame: <c>{"type":1,"target":"Update","arguments":[{"sessionId":"x","seq":N,"pad":"..."}]}␞</c> of exactly <paramref name="size"/> bytes.</summary>
    public static byte[] Frame(long seq, int size)
    {
        var head = $"{{\"type\":1,\"target\":\"Update\",\"arguments\":[{{\"sessionId\":\"baseline\",\"seq\":{seq},\"pad\":\"";
        const string tail = "\"}]}\u001e";
        var pad = Math.Max(0, size - head.Length - tail.Length);
        return Encoding.UTF8.GetBytes(head + new string('x', pad) + tail);
    }
}
