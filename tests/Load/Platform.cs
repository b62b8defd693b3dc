using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Events.Load;

/// <summary>
/// The platform under test: one Web node (SQLite store, localhost clustering: the default), or
/// <c>--nodes K</c> nodes forming one Orleans cluster (Redis membership) over one PostgreSQL
/// store, each node its own process with its own HTTP port, silo port and data folder. Every
/// process is pinned to the server core. Its CPU and memory are the nodes' sum; Redis and
/// PostgreSQL are measured apart.
/// </summary>
public sealed class Platform : IMeasured, IAsyncDisposable
{
    private readonly Settings s;
    private readonly List<ServerProcess> nodes = [];
    private readonly string folderPrefix = Path.Combine(Path.GetTempPath(), "events-bench-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<string> folders = [];
    private ServerProcess? redis;
    private Postgres? postgres;

    private Platform(Settings s)
    {
        this.s = s;
        Children.Register(this, DeleteData);
    }

    public IReadOnlyList<ServerProcess> Nodes => nodes;

    public IReadOnlyList<int> Ports => nodes.Select(n => n.Port).ToArray();

    /// <summary>The node the i-th client connects to: clients are spread evenly, round robin.</summary>
    public int Port(int i) => nodes[i % nodes.Count].Port;

    public HttpClient Http { get; private set; } = null!;

    public TimeSpan CpuTime() => nodes.Aggregate(TimeSpan.Zero, (sum, n) => sum + n.CpuTime());

    public long Rss() => nodes.Sum(n => n.Rss());

    /// <summary>Redis and PostgreSQL (with its backends), or zero for one node.</summary>
    public TimeSpan ServicesCpuTime() => (redis?.CpuTime() ?? TimeSpan.Zero) + (postgres?.Server.TreeCpuTime() ?? TimeSpan.Zero);

    public static async Task<Platform> StartAsync(Settings s)
    {
        var platform = new Platform(s);
        try
        {
            await platform.StartNodesAsync();
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodesAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["Benchmark__Enabled"] = "true",
            // The finals' afternoon on a rehearsal clock: the demo session is on, whatever the real date.
            ["Clock__StartAt"] = "2026-12-12T05:30:00Z",
            ["Live__Tick"] = s.Tick,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Error",
            // Several nodes on one machine would each start an nginx on 1935; the benchmark needs no RTMP.
            ["Streaming__Rtmp__Enabled"] = "false",
        };
        foreach (var bucket in new[] { "Chat", "Vote", "React", "Join", "Moderate" })
        {
            environment[$"RateLimits__{bucket}__Burst"] = "1000000";
            environment[$"RateLimits__{bucket}__PerSecond"] = "1000000";
        }
        if (s.Nodes > 1)
        {
            var redisPort = ServerProcess.FreePort();
            redis = ServerProcess.Start("redis", s.ServerCore, File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server",
                ["--port", redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], redisPort, forward: false);
            await redis.WaitUntilAsync(async () =>
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", redisPort);
                return true;
            }, TimeSpan.FromSeconds(20));
            // Each node has two pools (the live store and the accounts), at most 100 connections each.
            postgres = await Postgres.StartAsync(s.ServerCore, maxConnections: 50 + 200 * s.Nodes);
            environment["Store__Provider"] = "postgres";
            environment["Store__Postgres__ConnectionString"] = postgres.ConnectionString;
            environment["Cluster__Provider"] = "redis";
            environment["Cluster__Redis__ConnectionString"] = $"127.0.0.1:{redisPort}";
            environment["Cluster__ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..10];
        }
        // One node at a time: the first creates the schema and the key ring that signs the
        // benchmark's tokens; the others load it, so a token minted on one node is valid on all.
        for (var i = 0; i < s.Nodes; i++)
        {
            var port = ServerProcess.FreePort();
            var folder = $"{folderPrefix}-node-{i + 1}";
            folders.Add(folder);
            var node = new Dictionary<string, string>(environment)
            {
                ["Data__Path"] = folder,
                ["Cluster__SiloPort"] = ServerProcess.FreePort().ToString(),
            };
            var name = s.Nodes > 1 ? $"node {i + 1}" : "platform";
            var server = ServerProcess.Start(name, s.ServerCore, "dotnet", [s.WebDll, "--urls", $"http://127.0.0.1:{port}", "--environment", "Benchmark"], port, node, s.Repository, folder: folder);
            nodes.Add(server);
            await server.WaitUntilAsync(async () => (await Health(port)).Status == "Healthy", TimeSpan.FromMinutes(2));
        }
        if (s.Nodes > 1)
        {
            // Every node sees every other as an active silo before any viewer arrives.
            foreach (var node in nodes)
            {
                await node.WaitUntilAsync(async () => (await Health(node.Port)).ActiveSilos == s.Nodes, TimeSpan.FromMinutes(1));
            }
        }
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{nodes[0].Port}"), Timeout = TimeSpan.FromMinutes(5) };
    }

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>/health's overall status and, from its cluster check, how many silos this node sees active.</summary>
    private static async Task<(string Status, int ActiveSilos)> Health(int port)
    {
        using var response = await Probe.GetAsync($"http://127.0.0.1:{port}/health");
        var body = await response.Content.ReadAsStringAsync();
        if (!body.StartsWith('{'))
        {
            // A build from before /health answered JSON (an A/B run against an older engine) says only its status.
            return (body.Trim(), 1);
        }
        using var doc = JsonDocument.Parse(body);
        var status = doc.RootElement.GetProperty("status").GetString() ?? "";
        var active = doc.RootElement.TryGetProperty("checks", out var checks) && checks.TryGetProperty("cluster", out var cluster)
            && cluster.TryGetProperty("data", out var d) && d.TryGetProperty("activeSilos", out var a) ? a.GetInt32() : 0;
        return (status, active);
    }

    /// <summary>Bearer tokens for synthetic members (<c>POST /bench/tokens</c> on the first node; the key ring is shared).</summary>
    public async Task<string[]> MintAsync(string prefix, int count, params string[] roles)
    {
        var tokens = new List<string>(count);
        for (var from = 0; from < count; from += 20_000)
        {
            var n = Math.Min(20_000, count - from);
            var response = await Http.PostAsJsonAsync("/bench/tokens", new { prefix, from, count = n, roles });
            response.EnsureSuccessStatusCode();
            tokens.AddRange((await response.Content.ReadFromJsonAsync<string[]>())!);
        }
        return tokens.ToArray();
    }

    public string Describe() => s.Nodes == 1
        ? "one node (SQLite store)"
        : $"{s.Nodes} nodes (Orleans cluster, Redis membership, PostgreSQL store)";

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        if (redis is not null)
        {
            await redis.DisposeAsync();
        }
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
        DeleteData();
        Children.Unregister(this);
    }

    private void DeleteData()
    {
        foreach (var folder in folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Never created, or a node still holds a file for a moment.
            }
        }
    }
}

/// <summary>
/// A throwaway PostgreSQL server from the Debian package, like tests/Silo.Tests/Store/PostgresServer.cs
/// but without its test-framework dependencies: initdb in a temporary folder, the server in the
/// foreground on a free loopback port (as the <c>postgres</c> user when the run is root's, because
/// initdb and postgres refuse root), PostgreSQL's default durability, deleted at the end.
/// </summary>
public sealed class Postgres : IAsyncDisposable
{
    private const int SigInt = 2;
    private readonly string folder = Path.Combine(Path.GetTempPath(), "events-bench-pg-" + Guid.NewGuid().ToString("N")[..12]);

    private Postgres()
    {
    }

    public ServerProcess Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public static async Task<Postgres> StartAsync(string core, int maxConnections)
    {
        var pg = new Postgres();
        Children.Register(pg, pg.DeleteFolder);
        var binaries = FindBinaries();
        var user = Environment.UserName == "root" ? "postgres" : null;
        var data = Path.Combine(pg.folder, "data");
        Directory.CreateDirectory(data);
        if (user is not null)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", pg.folder], null, pg.folder);
        }
        await RunAsync(Path.Combine(binaries, "initdb"), ["-D", data, "-A", "trust", "-U", "app", "-E", "UTF8", "--locale=C", "--no-sync"], user, pg.folder);
        var port = ServerProcess.FreePort();
        pg.Server = ServerProcess.Start("postgres", core, Path.Combine(binaries, "postgres"),
            ["-D", data, "-p", port.ToString(), "-k", data, "-c", "listen_addresses=127.0.0.1", "-c", $"max_connections={maxConnections}"],
            port, workingDirectory: pg.folder, forward: false, user: user, stopSignal: SigInt, folder: pg.folder);
        await pg.Server.WaitUntilAsync(async () =>
        {
            using var probe = Process.Start(new ProcessStartInfo(Path.Combine(binaries, "pg_isready"), ["-h", "127.0.0.1", "-p", port.ToString(), "-U", "app", "-d", "postgres"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            await probe.WaitForExitAsync();
            return probe.ExitCode == 0;
        }, TimeSpan.FromMinutes(1));
        pg.ConnectionString = $"Host=127.0.0.1;Port={port};Username=app;Database=postgres";
        return pg;
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : -1)
                .FirstOrDefault()
            : null;
        return found is null
            ? throw new InvalidOperationException($"--nodes needs a PostgreSQL server and none was found ({root}/*/bin/initdb): apt-get install -y postgresql")
            : Path.Combine(found, "bin");
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, string? user, string workingDirectory)
    {
        var info = new ProcessStartInfo(user is null ? file : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (user is not null)
        {
            foreach (var a in new[] { $"--reuid={user}", $"--regid={user}", "--init-groups", "--", file })
            {
                info.ArgumentList.Add(a);
            }
        }
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with code {process.ExitCode}:\n{await errors}{await output}");
        }
    }

    private void DeleteFolder()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already gone, or a file still held for a moment.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        DeleteFolder();
        Children.Unregister(this);
    }
}
