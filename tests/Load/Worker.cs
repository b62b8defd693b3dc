using System.Text.Json;

namespace Events.Load;

/// <summary>
/// <c>Events.Load worker ...</c>: a process of the generator that holds one share of the viewers
/// (one process can hold only ~19,000 sockets here). It connects its share to one server port
/// (joining the session on the platform, keeping the connections alive with pings), counts what
/// they receive, and answers the generator's commands, one line in and one line out on its
/// standard input and output ("ok {json}" or "error message"):
/// <c>reset</c>, <c>tally</c>, <c>wait FRAMES TIMEOUT_MS</c>, <c>deficit seq N</c>, <c>deficit frames N</c>,
/// <c>screen VOTES</c>, <c>screen-seen</c>, <c>idle</c>, <c>exit</c>. It exits when its standard input
/// closes or the generator's process is gone (checked every second), and at its hard time limit.
/// </summary>
public static class Worker
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, "--" + name) + 1];
        var port = int.Parse(Arg("port"));
        var count = int.Parse(Arg("count"));
        var join = Arg("join") == "1";
        var session = Arg("session");
        var parallelism = int.Parse(Arg("parallelism"));
        var parent = int.Parse(Arg("parent"));
        var limit = TimeSpan.FromSeconds(int.Parse(Arg("time-limit-seconds")));
        StartGuards(parent, limit);

        var group = new ViewerGroup();
        var loopback = new Loopback(int.Parse(Arg("source-addresses")));
        var clients = new HubClient?[count];
        var failed = 0;
        string? error = null;
        var started = Clock.Now;
        using (var gate = new SemaphoreSlim(parallelism))
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    var c = await HubClient.ConnectAsync(loopback, port, null, group.OnUpdate, timeout.Token);
                    var v = new ViewerState();
                    c.Tag = v;
                    clients[i] = c;
                    if (join)
                    {
                        using var snapshot = JsonDocument.Parse(await c.InvokeAsync("JoinSession", JsonSerializer.Serialize(new[] { session })));
                        var result = snapshot.RootElement.GetProperty("result");
                        if (!result.GetProperty("ok").GetBoolean())
                        {
                            throw new InvalidOperationException("JoinSession refused: " + result);
                        }
                        var value = result.GetProperty("value");
                        v.Joined(value.GetProperty("seq").GetInt64(), value.GetProperty("counts").GetProperty("current").GetInt64());
                    }
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failed);
                    error ??= e.Message;
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        var ended = Clock.Now;
        group.Clients.AddRange(clients.OfType<HubClient>());
        Reply(new Connected(group.Clients.Count, failed, error, started, ended));

        using var stopPing = new CancellationTokenSource();
        var pinging = join ? Pinger.RunAsync(group.Clients, stopPing.Token) : Task.CompletedTask;
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                switch (words[0])
                {
                    case "reset":
                        group.Reset();
                        Reply(true);
                        break;
                    case "tally":
                        Reply(group.Tally());
                        break;
                    case "wait":
                        // Until every viewer could have received FRAMES frames, or the timeout.
                        var expected = long.Parse(words[1]) * group.Clients.Count;
                        var until = Clock.Now + long.Parse(words[2]) * System.Diagnostics.Stopwatch.Frequency / 1000;
                        while (group.Received < expected && Clock.Now < until)
                        {
                            await Task.Delay(2);
                        }
                        Reply(group.Tally());
                        break;
                    case "deficit":
                        var n = long.Parse(words[2]);
                        Reply(words[1] == "seq" ? group.Deficit(n, null) : group.Deficit(null, n));
                        break;
                    case "screen":
                        group.ArmScreen(int.Parse(words[1]));
                        Reply(true);
                        break;
                    case "screen-seen":
                        Reply(group.ScreenSeen());
                        break;
                    case "idle":
                        group.Phase = ViewerPhase.Idle;
                        Reply(true);
                        break;
                    case "exit":
                        stopPing.Cancel();
                        await pinging;
                        await HubClient.DisposeAllAsync(group.Clients);
                        Reply(true);
                        return 0;
                    default:
                        throw new ArgumentException("unknown command " + words[0]);
                }
            }
            catch (Exception e)
            {
                Console.Out.WriteLine("error " + e.Message.ReplaceLineEndings(" "));
            }
        }
        // The generator is gone: the kernel closes the sockets.
        return 0;
    }

    private static void Reply<T>(T value) => Console.Out.WriteLine("ok " + JsonSerializer.Serialize(value));

    private static void StartGuards(int parent, TimeSpan limit)
    {
        var thread = new Thread(() =>
        {
            var until = DateTime.UtcNow + limit;
            while (Directory.Exists($"/proc/{parent}") && DateTime.UtcNow < until)
            {
                Thread.Sleep(1000);
            }
            Console.Error.WriteLine(DateTime.UtcNow < until ? "worker: the generator is gone, exiting" : "worker: hard time limit reached, exiting");
            Environment.Exit(4);
        }) { IsBackground = true, Name = "guard" };
        thread.Start();
    }
}

/// <summary>Keeps idle connections alive the way real clients do: a ping every 10 s, spread out.</summary>
public static class Pinger
{
    public static async Task RunAsync(IReadOnlyList<HubClient> clients, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Clock.Now;
                foreach (var chunk in clients.Chunk(500))
                {
                    await Task.WhenAll(chunk.Where(c => !c.Closed).Select(async c =>
                    {
                        try
                        {
                            await c.PingAsync();
                        }
                        catch (Exception)
                        {
                            // Seen as a drop.
                        }
                    }));
                }
                var left = 10_000 - Clock.Ms(started, Clock.Now);
                if (left > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(left), stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
