using System.Diagnostics;
using System.Text.Json;

namespace Events.Load;

/// <summary>
/// The generator's side of its worker processes (<see cref="Worker"/>): each named group of
/// viewers ("ours", "baseline") is spread evenly over its server ports and split into workers of
/// at most <c>--sockets-per-process</c> connections; every command goes to all of a group's workers
/// at once and their answers are summed.
/// </summary>
public sealed class Fleet(Settings s) : IAsyncDisposable
{
    private readonly List<WorkerProcess> workers = [];

    private IEnumerable<WorkerProcess> Of(string group) => workers.Where(w => w.Group == group);

    public int WorkerCount(string group) => Of(group).Count();

    /// <summary>Starts the group's workers and waits until each has connected (and joined) its share; the time is from the first connection started to the last one done.</summary>
    public async Task<(Connected Result, double Seconds)> AddAsync(string group, IReadOnlyList<int> ports, int viewers, bool join)
    {
        var shares = new List<(int Port, int Count)>();
        for (var p = 0; p < ports.Count; p++)
        {
            var share = viewers / ports.Count + (p < viewers % ports.Count ? 1 : 0);
            var pieces = Math.Max(1, (share + s.SocketsPerProcess - 1) / s.SocketsPerProcess);
            for (var k = 0; k < pieces; k++)
            {
                var n = share / pieces + (k < share % pieces ? 1 : 0);
                if (n > 0)
                {
                    shares.Add((ports[p], n));
                }
            }
        }
        var parallelism = Math.Max(8, s.ConnectParallelism / Math.Max(1, shares.Count));
        var started = shares.Select((share, i) => WorkerProcess.Start(s, $"{group} {i + 1}", group, share.Port, share.Count, join, parallelism)).ToList();
        workers.AddRange(started);
        var results = await Task.WhenAll(started.Select(w => w.ReadAsync<Connected>(Watchdog.Remaining)));
        var first = results.Min(r => r.Started);
        var last = results.Max(r => r.Ended);
        return (new Connected(results.Sum(r => r.Ok), results.Sum(r => r.Failed), results.Select(r => r.Error).FirstOrDefault(e => e is not null), first, last), Clock.Ms(first, last) / 1000);
    }

    private async Task<T[]> AllAsync<T>(string group, string command, TimeSpan? timeout = null) =>
        await Task.WhenAll(Of(group).Select(w => w.RequestAsync<T>(command, timeout ?? TimeSpan.FromMinutes(2))));

    public Task ResetAsync(string group) => AllAsync<bool>(group, "reset");

    public async Task<Tally> TallyAsync(string group) => Tally.Sum(await AllAsync<Tally>(group, "tally"));

    /// <summary>Waits until every viewer of the group could have received <paramref name="frames"/> frames (at most <paramref name="timeout"/>).</summary>
    public async Task<Tally> WaitAsync(string group, long frames, TimeSpan timeout) =>
        Tally.Sum(await AllAsync<Tally>(group, $"wait {frames} {(long)timeout.TotalMilliseconds}", timeout + TimeSpan.FromMinutes(1)));

    /// <summary>Updates missing and extra, viewer by viewer (see <see cref="ViewerGroup.Deficit"/>).</summary>
    public async Task<Deficit> DeficitAsync(string group, long? untilSeq, long? frames)
    {
        var parts = await AllAsync<Deficit>(group, untilSeq is { } seq ? $"deficit seq {seq}" : $"deficit frames {frames}");
        return new Deficit(parts.Sum(d => d.Missing), parts.Sum(d => d.Extra));
    }

    public Task ArmScreenAsync(string group, int votes) => AllAsync<bool>(group, $"screen {votes}");

    public async Task<ScreenSeen> ScreenSeenAsync(string group)
    {
        var parts = await AllAsync<ScreenSeen>(group, "screen-seen");
        var last = new long[parts.Max(p => p.Last.Length)];
        foreach (var p in parts)
        {
            for (var t = 0; t < p.Last.Length; t++)
            {
                last[t] = Math.Max(last[t], p.Last[t]);
            }
        }
        return new ScreenSeen(parts.Sum(p => p.Unseen), last);
    }

    public Task IdleAsync(string group) => AllAsync<bool>(group, "idle");

    /// <summary>The group's viewers close their connections and its workers exit.</summary>
    public async Task CloseAsync(string group)
    {
        var leaving = Of(group).ToList();
        await Task.WhenAll(leaving.Select(w => w.ExitAsync()));
        workers.RemoveAll(leaving.Contains);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var group in workers.Select(w => w.Group).Distinct().ToList())
        {
            await CloseAsync(group);
        }
    }
}

/// <summary>One worker process: a command line written to its standard input, one answer line read from its standard output.</summary>
public sealed class WorkerProcess
{
    private readonly Process process;
    private readonly SemaphoreSlim turn = new(1, 1);
    private readonly Queue<string> errors = new();

    private WorkerProcess(string name, string group, Process process)
    {
        Name = name;
        Group = group;
        this.process = process;
        Children.Register(this, () =>
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        });
    }

    public string Name { get; }

    public string Group { get; }

    public override string ToString() => "worker " + Name;

    public static WorkerProcess Start(Settings s, string name, string group, int port, int count, bool join, int parallelism)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            typeof(Worker).Assembly.Location, "worker", "--port", port.ToString(), "--count", count.ToString(), "--join", join ? "1" : "0",
            "--session", s.Session, "--source-addresses", s.SourceAddresses.ToString(), "--parallelism", parallelism.ToString(),
            "--parent", Environment.ProcessId.ToString(), "--time-limit-seconds", ((int)Watchdog.Remaining.TotalSeconds + 60).ToString(),
        })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start a worker.");
        var worker = new WorkerProcess(name, group, process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (worker.errors)
                {
                    worker.errors.Enqueue(line);
                    if (worker.errors.Count > 20)
                    {
                        worker.errors.Dequeue();
                    }
                }
                Console.Error.WriteLine($"[worker {name}] {line}");
            }
        };
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Reads the next answer: "ok {json}" gives the value, "error ..." throws.</summary>
    public async Task<T> ReadAsync<T>(TimeSpan timeout)
    {
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"worker {Name} did not answer within {timeout.TotalSeconds:0} s.");
        }
        if (line is null)
        {
            string tail;
            lock (errors)
            {
                tail = string.Join('\n', errors);
            }
            throw new InvalidOperationException($"worker {Name} exited{(process.HasExited ? $" with code {process.ExitCode}" : "")}:\n{tail}");
        }
        if (line.StartsWith("ok ", StringComparison.Ordinal))
        {
            return JsonSerializer.Deserialize<T>(line[3..])!;
        }
        throw new InvalidOperationException($"worker {Name}: {line}");
    }

    public async Task<T> RequestAsync<T>(string command, TimeSpan timeout)
    {
        await turn.WaitAsync();
        try
        {
            await process.StandardInput.WriteLineAsync(command);
            await process.StandardInput.FlushAsync();
            return await ReadAsync<T>(timeout);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>Asks the worker to close its connections and exit; kills it if it has not within a minute.</summary>
    public async Task ExitAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                await RequestAsync<bool>("exit", TimeSpan.FromMinutes(1));
                process.StandardInput.Close();
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(cancel.Token);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"worker {Name} did not exit cleanly ({e.Message}): killing it");
            process.Kill(entireProcessTree: true);
        }
        Children.Unregister(this);
        process.Dispose();
    }
}
