using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Events.Load;

/// <summary>What a phase measures on a server under test: its CPU time and resident memory.</summary>
public interface IMeasured
{
    TimeSpan CpuTime();

    long Rss();
}

/// <summary>Monotonic timestamps (CLOCK_MONOTONIC on Linux: comparable between the generator's processes).</summary>
public static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// The run's hard time limit (<c>--time-limit-minutes</c>): when it passes, every process the run
/// started is stopped and the generator exits with code 3. Servers and workers get the same limit
/// (plus a minute) and also stop by themselves when the generator's process is gone.
/// </summary>
public static class Watchdog
{
    private static long deadline = long.MaxValue;

    public static TimeSpan Remaining => deadline == long.MaxValue ? TimeSpan.FromHours(24) : TimeSpan.FromMilliseconds(Math.Max(0, Clock.Ms(Clock.Now, deadline)));

    public static void Start(TimeSpan limit)
    {
        deadline = Clock.Now + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var thread = new Thread(() =>
        {
            Thread.Sleep(limit);
            Console.Error.WriteLine($"The run's time limit of {limit.TotalMinutes:0} minutes passed: stopping every process it started.");
            Children.StopAll();
            Environment.Exit(3);
        }) { IsBackground = true, Name = "watchdog" };
        thread.Start();
    }
}

/// <summary>Every process (and folder) the run started, so that a time limit, a signal or a crash stops them all, last started first.</summary>
public static class Children
{
    private static readonly List<(object Owner, Action Stop)> Running = [];

    public static void Register(object owner, Action stop)
    {
        lock (Running)
        {
            Running.Add((owner, stop));
        }
    }

    public static void Unregister(object owner)
    {
        lock (Running)
        {
            Running.RemoveAll(r => ReferenceEquals(r.Owner, owner));
        }
    }

    public static void StopAll()
    {
        (object Owner, Action Stop)[] all;
        lock (Running)
        {
            all = Running.AsEnumerable().Reverse().ToArray();
            Running.Clear();
        }
        foreach (var (owner, stop) in all)
        {
            try
            {
                stop();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Stopping {owner}: {e.Message}");
            }
        }
    }
}

/// <summary>
/// A server under test (or a service it needs) in its own process: pinned with <c>taskset</c>,
/// started by a <see cref="Guard"/> that stops it if the generator dies or the run's time limit
/// passes, optionally as another user (<c>setpriv</c>). Its memory and CPU are read from /proc for
/// the program itself, not the guard.
/// </summary>
public sealed class ServerProcess : IMeasured, IAsyncDisposable
{
    private const int SigKill = 9;
    private readonly Process process;
    private readonly Queue<string> tail = new();
    private readonly int stopSignal;

    private ServerProcess(string name, Process process, int port, int stopSignal)
    {
        Name = name;
        this.process = process;
        Port = port;
        this.stopSignal = stopSignal;
        Pid = ProgramPid(process.Id);
        Children.Register(this, () => Stop(TimeSpan.FromSeconds(5)));
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>The program's own process id: the child of its <see cref="Guard"/>.</summary>
    public int Pid { get; }

    public bool HasExited => process.HasExited;

    public override string ToString() => Name;

    /// <param name="forward">Print the program's standard error (and failures on standard output) with its name; otherwise only keep the last lines for an error message.</param>
    /// <param name="user">Run as this user (PostgreSQL refuses to run as root).</param>
    /// <param name="stopSignal">Sent first when stopping (SIGINT is PostgreSQL's fast shutdown); the process is killed if it has not exited 5 s later. 9: killed at once.</param>
    /// <param name="folder">The program's own temporary folder: its guard deletes it when the program ended by itself or was stopped by the guard.</param>
    public static ServerProcess Start(string name, string core, string file, IEnumerable<string> arguments, int port,
        IDictionary<string, string>? environment = null, string? workingDirectory = null, bool forward = true, string? user = null, int stopSignal = SigKill, string? folder = null)
    {
        var info = new ProcessStartInfo("taskset")
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        var prefix = new List<string>
        {
            "-c", core, "dotnet", typeof(Guard).Assembly.Location, "guard",
            "--parent", Environment.ProcessId.ToString(), "--time-limit-seconds", ((int)Watchdog.Remaining.TotalSeconds + 60).ToString(), "--stop-signal", stopSignal.ToString(),
        };
        if (folder is not null)
        {
            prefix.AddRange(["--remove", folder]);
        }
        prefix.Add("--");
        if (user is not null)
        {
            prefix.AddRange(["setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--"]);
        }
        prefix.Add(file);
        foreach (var a in prefix.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        var server = new ServerProcess(name, process, port, stopSignal);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                server.Keep(line);
                if (forward && (line.Contains("fail") || line.Contains("crit")))
                {
                    Console.Error.WriteLine($"[{name}] {line}");
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                server.Keep(line);
                if (forward)
                {
                    Console.Error.WriteLine($"[{name}] {line}");
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits (at most <paramref name="limit"/>) until <paramref name="ready"/> says yes; fails at once if the program exits.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode}:\n{Output}");
            }
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (Exception)
            {
                // Not answering yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} was not ready within {limit.TotalSeconds:0} s:\n{Output}");
    }

    /// <summary>The last lines the program wrote.</summary>
    public string Output
    {
        get
        {
            lock (tail)
            {
                return string.Join('\n', tail);
            }
        }
    }

    private void Keep(string line)
    {
        lock (tail)
        {
            tail.Enqueue(line);
            if (tail.Count > 40)
            {
                tail.Dequeue();
            }
        }
    }

    /// <summary>Resident memory in bytes.</summary>
    public long Rss() => ReadRss(Pid);

    /// <summary>CPU time used so far by the program (user + system), not counting its children.</summary>
    public TimeSpan CpuTime() => ReadCpu(Pid) ?? TimeSpan.Zero;

    /// <summary>CPU time used so far by the program and its live children (PostgreSQL's backends).</summary>
    public TimeSpan TreeCpuTime()
    {
        var total = CpuTime();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != Pid && ParentOf(pid) == Pid)
            {
                total += ReadCpu(pid) ?? TimeSpan.Zero;
            }
        }
        return total;
    }

    public static long ReadRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Exited.
        }
        return 0;
    }

    private static string[]? StatFields(int pid)
    {
        try
        {
            // After the command name: state is field 0, ppid field 1, utime field 11, stime field 12 (clock ticks of 1/100 s).
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static TimeSpan? ReadCpu(int pid) =>
        StatFields(pid) is { } f ? TimeSpan.FromMilliseconds((long.Parse(f[11]) + long.Parse(f[12])) * 10) : null;

    private static int ParentOf(int pid) => StatFields(pid) is { } f ? int.Parse(f[1]) : -1;

    /// <summary><c>taskset</c> and <c>setpriv</c> exec the next program; the guard starts it: the guard's one child is the program.</summary>
    private static int ProgramPid(int guard)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{guard}/task"))
                {
                    var children = File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (children.Length > 0)
                    {
                        return int.Parse(children[0]);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                break;
            }
            Thread.Sleep(10);
        }
        throw new InvalidOperationException($"The guard (process {guard}) started no program.");
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    internal static extern int SendSignal(int pid, int signal);

    private void Stop(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }
        if (stopSignal != SigKill && SendSignal(Pid, stopSignal) == 0 && process.WaitForExit(grace))
        {
            return;
        }
        process.Kill(entireProcessTree: true);
        process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await Task.Run(() => Stop(TimeSpan.FromSeconds(10)));
        Children.Unregister(this);
        process.Dispose();
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// <c>Events.Load guard --parent P --time-limit-seconds S --stop-signal N [--remove DIR] -- program args...</c>:
/// starts the program (which inherits the guard's standard streams) and waits for it; stops it
/// (signal N, then SIGKILL 5 s later) as soon as the generator's process is gone or the time
/// limit passes, so that no server outlives its run, and then deletes its folder.
/// </summary>
public static class Guard
{
    public static int Run(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, "--" + name) + 1];
        var parent = int.Parse(Arg("parent"));
        var until = DateTime.UtcNow.AddSeconds(int.Parse(Arg("time-limit-seconds")));
        var signal = int.Parse(Arg("stop-signal"));
        var remove = Array.IndexOf(args, "--remove") is >= 0 and var at && at < Array.IndexOf(args, "--") ? args[at + 1] : null;
        var command = args[(Array.IndexOf(args, "--") + 1)..];
        try
        {
            return Supervise(parent, until, signal, command);
        }
        finally
        {
            if (remove is not null && Directory.Exists(remove))
            {
                try
                {
                    Directory.Delete(remove, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The generator deletes it too.
                }
            }
        }
    }

    private static int Supervise(int parent, DateTime until, int signal, string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var a in command[1..])
        {
            info.ArgumentList.Add(a);
        }
        using var program = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        while (!program.WaitForExit(1000))
        {
            if (Directory.Exists($"/proc/{parent}") && DateTime.UtcNow < until)
            {
                continue;
            }
            Console.Error.WriteLine($"guard: {(DateTime.UtcNow < until ? "the generator is gone" : "the run's time limit passed")}, stopping {command[0]}");
            ServerProcess.SendSignal(program.Id, signal);
            if (!program.WaitForExit(5000))
            {
                program.Kill(entireProcessTree: true);
            }
            return 4;
        }
        return program.ExitCode;
    }
}
