using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Events.Load;

/// <summary>
/// The machine's physical limit to compare against: bare Kestrel WebSockets, no SignalR, no
/// grains. It echoes every message and, on request, sends pre-encoded frames shaped like the
/// platform's updates (same target, a growing "seq", the same size) to every socket. For chat it
/// is a bare coalescing fan-out: a socket that sent <c>Watch</c> is a viewer; a <c>Chat</c> frame is
/// answered at once and its text goes, with whatever else arrived, in the next update to every
/// viewer, at most one update per 200 ms and at once after a quiet spell (the platform's rule
/// without its growth under load), in the platform's shape (<c>"chat":[{"text":...}]</c>).
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
        var chat = new ChatFanOut();
        _ = chat.RunAsync();

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
                    if (buffer.AsSpan(0, r.Count).StartsWith(ChatFanOut.WatchFrame))
                    {
                        chat.Watch(socket);
                        continue;
                    }
                    if (chat.TryTake(buffer.AsSpan(0, r.Count)))
                    {
                        await socket.SendAsync(ChatFanOut.AckFrame, WebSocketMessageType.Text, true, CancellationToken.None);
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
                chat.Forget(socket);
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
        // The HLS baseline: files put once, then served by Kestrel's own static files.
        var files = Directory.CreateTempSubdirectory("baseline-hls-").FullName;
        app.MapPut("/files/{name}", async (string name, HttpRequest request) =>
        {
            await using var file = File.Create(Path.Combine(files, Path.GetFileName(name)));
            await request.Body.CopyToAsync(file);
            return Results.Created();
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(files),
            RequestPath = "/static",
            ServeUnknownFileTypes = true,
        });
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

    /// <summary>The chat baseline: texts queue as they arrive; one loop sends them to every viewer, coalesced per 200 ms.</summary>
    private sealed class ChatFanOut
    {
        public static ReadOnlySpan<byte> WatchFrame => "{\"type\":1,\"target\":\"Watch\""u8;

        public static readonly byte[] AckFrame = "{\"type\":1,\"target\":\"Ack\",\"arguments\":[]}\u001e"u8.ToArray();

        private static ReadOnlySpan<byte> ChatHead => "{\"type\":1,\"target\":\"Chat\",\"arguments\":[\""u8;

        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
        private readonly ConcurrentDictionary<WebSocket, byte> viewers = new();
        private readonly Lock gate = new();
        private List<string> pending = [];
        private long seq;
        private long nextId;

        public void Watch(WebSocket socket) => viewers[socket] = 0;

        public void Forget(WebSocket socket) => viewers.TryRemove(socket, out _);

        /// <summary>Queues the text of a <c>Chat</c> frame (<c>{"type":1,"target":"Chat","arguments":["text"]}</c>); false for any other frame.</summary>
        public bool TryTake(ReadOnlySpan<byte> frame)
        {
            if (!frame.StartsWith(ChatHead))
            {
                return false;
            }
            var rest = frame[ChatHead.Length..];
            var end = rest.IndexOf((byte)'"');
            var text = Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
            lock (gate)
            {
                pending.Add(text);
            }
            return true;
        }

        public async Task RunAsync()
        {
            // Polled at a quarter of the interval, as the platform's session tick: the first text after a quiet spell goes out at the next poll.
            using var poll = new PeriodicTimer(Interval / 4);
            var lastSent = Stopwatch.StartNew();
            while (await poll.WaitForNextTickAsync())
            {
                if (lastSent.Elapsed < Interval)
                {
                    continue;
                }
                List<string> texts;
                lock (gate)
                {
                    if (pending.Count == 0)
                    {
                        continue;
                    }
                    texts = pending;
                    pending = [];
                }
                lastSent.Restart();
                var frame = Update(texts);
                await Task.WhenAll(viewers.Keys.Select(async v =>
                {
                    try
                    {
                        await v.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                    }
                    catch (Exception)
                    {
                        // Counted as missing by the generator.
                    }
                }));
            }
        }

        private byte[] Update(List<string> texts)
        {
            var b = new StringBuilder("{\"type\":1,\"target\":\"Update\",\"arguments\":[{\"sessionId\":\"baseline\",\"seq\":");
            b.Append(++seq).Append(",\"chat\":[");
            for (var i = 0; i < texts.Count; i++)
            {
                // The platform's ChatView fields, so the frame is as long as the platform's.
                b.Append(i == 0 ? "" : ",").Append("{\"id\":").Append(++nextId)
                    .Append(",\"authorId\":\"u:m0000000\",\"authorName\":\"Member m0000000\",\"text\":\"").Append(texts[i]).Append("\",\"sentAt\":1764633600000}");
            }
            b.Append("]}]}\u001e");
            return Encoding.UTF8.GetBytes(b.ToString());
        }
    }
}
