using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Events.Web.Tests.Infrastructure;

/// <summary>What the nodes of one test cluster share: the PostgreSQL database, the Redis server and a cluster id of their own.</summary>
public sealed record NodeCluster(string PostgresConnectionString, string RedisConnectionString, string ClusterId)
{
    public static NodeCluster Create(string postgres, string redis) => new(postgres, redis, "test-" + Guid.NewGuid().ToString("N")[..10]);
}

/// <summary>
/// One Web node as its own process (the built Events.Web.dll) on free loopback ports: its HTTP
/// port and its silo port, joined to a real Orleans cluster (Redis membership) over a shared
/// PostgreSQL store. It can be killed like a crashed machine, or stopped with SIGTERM like a
/// rolling restart.
/// </summary>
public sealed class WebNode : IAsyncDisposable
{
    private readonly Process process;
    private readonly string data;
    private readonly List<string> output = [];

    private WebNode(string name, Process process, Uri baseUrl, string data)
    {
        Name = name;
        this.process = process;
        BaseUrl = baseUrl;
        this.data = data;
    }

    public string Name { get; }

    public Uri BaseUrl { get; }

    public Uri HubUrl => new(BaseUrl, "/hubs/live");

    /// <summary>Where this node writes its mail (the <c>.eml</c> folder of the embedded default).</summary>
    public string MailFolder => Path.Combine(data, "mail");

    /// <summary>What the process wrote (for a failing test's message).</summary>
    public string Output { get { lock (output) { return string.Join('\n', output.TakeLast(60)); } } }

    public static async Task<WebNode> StartAsync(string name, NodeCluster cluster, IDictionary<string, string>? extra = null)
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains("/Release/") ? "Release" : "Debug";
        var root = new DirectoryInfo(here);
        while (!File.Exists(Path.Combine(root.FullName, "Events.sln")))
        {
            root = root.Parent!;
        }
        var dll = Path.Combine(root.FullName, "src", "Web", "bin", configuration, "net10.0", "Events.Web.dll");
        var port = FreePort.Next();
        var data = Path.Combine(Path.GetTempPath(), "events-node-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port} --environment Test")
        {
            WorkingDirectory = root.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var settings = new Dictionary<string, string>
        {
            ["Store__Provider"] = "postgres",
            ["Store__Postgres__ConnectionString"] = cluster.PostgresConnectionString,
            ["Cluster__Provider"] = "redis",
            ["Cluster__Redis__ConnectionString"] = cluster.RedisConnectionString,
            ["Cluster__ClusterId"] = cluster.ClusterId,
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Data__Path"] = data,
            ["Clock__StartAt"] = TestClock.StartAt,
            ["Admin__Email"] = "admin@test.example",
            ["Admin__Password"] = "admin-pass-1",
            ["Live__Tick"] = "00:00:00.100",
            ["Live__PresenceHeartbeat"] = "00:00:00.500",
            ["Live__PresenceExpiry"] = "00:00:02",
            ["Live__MaxTick"] = "00:00:01",
            ["RateLimits__Vote__Burst"] = "1000",
            ["RateLimits__Chat__Burst"] = "1000",
            // Tests register many accounts from 127.0.0.1 (AccountTests checks the real limits).
            ["RateLimits__Accounts__RegistrationsPerAddress"] = "100000",
            ["RateLimits__Accounts__MailRequestsPerAddress"] = "100000",
            ["RateLimits__Chat__PerSecond"] = "1000",
            ["RateLimits__Join__Burst"] = "1000",
            ["RateLimits__Join__PerSecond"] = "1000",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Streaming__Rtmp__Enabled"] = "false",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            settings[k] = v;
        }
        foreach (var (k, v) in settings)
        {
            info.Environment[k] = v;
        }
        var process = Process.Start(info)!;
        var node = new WebNode(name, process, new Uri($"http://127.0.0.1:{port}"), data);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300; i++)
        {
            Assert.False(process.HasExited, $"node {name} exited with code {(process.HasExited ? process.ExitCode : 0)}:\n{node.Output}");
            try
            {
                if ((await http.GetAsync(new Uri(node.BaseUrl, "/health"))).IsSuccessStatusCode)
                {
                    return node;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"node {name} did not become healthy:\n{node.Output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.Add(line);
            if (output.Count > 500)
            {
                output.RemoveRange(0, 100);
            }
        }
    }

    public bool HasExited => process.HasExited;

    /// <summary>Kills the process at once, as a crash would: no graceful shutdown, connections simply drop.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Sends SIGTERM (what an orchestrator does in a rolling restart) and waits for the exit: its code and how long it took.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, SendSignal(process.Id, 15));
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"node {Name} did not exit within {limit} of SIGTERM:\n{Output}");
        }
        return (process.ExitCode, clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        process.Dispose();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // Missing or still held: nothing of value is kept there in this mode.
        }
    }
}
