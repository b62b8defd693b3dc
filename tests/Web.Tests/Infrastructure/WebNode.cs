using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// One Web node as its own process (the built Events.Web.dll) on a free loopback port, configured
/// for scale-out on a shared PostgreSQL database; it can be killed like a crashed machine.
/// </summary>
public sealed class WebNode : IAsyncDisposable
{
    private readonly Process process;
    private readonly string data;

    private WebNode(Process process, Uri baseUrl, string data)
    {
        this.process = process;
        BaseUrl = baseUrl;
        this.data = data;
    }

    public Uri BaseUrl { get; }

    public Uri HubUrl => new(BaseUrl, "/hubs/live");

    public static async Task<WebNode> StartAsync(string nodeId, string connectionString)
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains("/Release/") ? "Release" : "Debug";
        var root = new DirectoryInfo(here);
        while (!File.Exists(Path.Combine(root.FullName, "Events.sln")))
        {
            root = root.Parent!;
        }
        var dll = Path.Combine(root.FullName, "src", "Web", "bin", configuration, "net10.0", "Events.Web.dll");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
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
            ["Store__Postgres__ConnectionString"] = connectionString,
            ["Bus__Provider"] = "postgres",
            ["Node__Id"] = nodeId,
            ["Data__Path"] = data,
            ["Admin__Email"] = "admin@test.example",
            ["Admin__Password"] = "admin-pass-1",
            ["Live__Tick"] = "00:00:00.100",
            ["Live__PresenceHeartbeat"] = "00:00:00.500",
            ["Live__PresenceExpiry"] = "00:00:02",
            ["Live__MaxTick"] = "00:00:01",
            ["RateLimits__Vote__Burst"] = "1000",
            ["RateLimits__Chat__Burst"] = "1000",
            ["RateLimits__Chat__PerSecond"] = "1000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in settings)
        {
            info.Environment[k] = v;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new WebNode(process, new Uri($"http://127.0.0.1:{port}"), data);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300; i++)
        {
            Assert.False(process.HasExited, $"node {nodeId} exited with code {(process.HasExited ? process.ExitCode : 0)}");
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
        throw new TimeoutException($"node {nodeId} did not become healthy");
    }

    /// <summary>Kills the process at once, as a crash would: no graceful shutdown, connections simply drop.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

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
