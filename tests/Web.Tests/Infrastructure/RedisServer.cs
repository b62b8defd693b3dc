using System.Diagnostics;
using System.Net.Sockets;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// A throwaway Redis server from the Debian package (cluster membership for the multi-node tests),
/// on a free loopback port, with its append-only file in a temporary folder so that a restart keeps
/// what was written, as a production Redis with persistence does; it can be stopped and started
/// again on the same port, and is killed and deleted at the end.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? process;
    private readonly string folder = Path.Combine(Path.GetTempPath(), "events-redis-" + Guid.NewGuid().ToString("N")[..10]);

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    public async Task InitializeAsync()
    {
        Port = FreePort.Next();
        Directory.CreateDirectory(folder);
        await StartAgainAsync();
    }

    public async Task StartAgainAsync()
    {
        var binary = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";
        var info = new ProcessStartInfo(binary, ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", folder, "--protected-mode", "yes"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException("redis-server did not start listening");
    }

    /// <summary>Stops the server at once, as a crash would (what it acknowledged is in its append-only file).</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        process?.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
