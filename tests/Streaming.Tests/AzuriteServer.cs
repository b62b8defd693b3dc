using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Events.Streaming.Tests;

// Shared with Web.Tests (linked), which runs the platform on it.

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServer>
{
    public const string Name = "azurite";
}

/// <summary>
/// A real Azurite (npm, installed by this project's build) on a free loopback port with its data in
/// a temporary folder, for the whole collection. It is stopped with SIGKILL: after traffic it may
/// ignore SIGTERM. The account and key are Azurite's documented development ones.
/// </summary>
public sealed class AzuriteServer : IAsyncLifetime
{
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly string folder = Directory.CreateTempSubdirectory("azurite-").FullName;
    private Process? process;

    public int Port { get; private set; }

    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{Account}";

    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint=http://127.0.0.1:{Port}/{Account};";

    public async Task InitializeAsync()
    {
        var script = FindAzurite();
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // The SDK sends a newer service version than this Azurite knows; the check is off (PROTOCOLS.md §3).
        foreach (var a in new[] { script, "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", folder, "--skipApiVersionCheck", "--silent" })
        {
            info.ArgumentList.Add(a);
        }
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        process?.Dispose();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    private static string FindAzurite()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var folder in new[] { Path.Combine(dir.FullName, "azurite"), Path.Combine(dir.FullName, "tests", "Streaming.Tests", "azurite") })
            {
                var script = Path.Combine(folder, "node_modules", "azurite", "dist", "src", "blob", "main.js");
                if (File.Exists(script))
                {
                    return script;
                }
            }
        }
        throw new InvalidOperationException("Azurite is missing: building tests/Streaming.Tests installs it with npm (tests/Streaming.Tests/azurite).");
    }
}
