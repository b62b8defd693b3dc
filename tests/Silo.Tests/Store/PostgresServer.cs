using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Events.Silo.Tests.Store;

/// <summary>
/// A throwaway PostgreSQL server from the Debian package, started once for the test collection in
/// a temporary folder on a free loopback port, and stopped and deleted at the end. Each caller gets
/// its own database, so tests never see each other's rows. When the tests run as root the server
/// runs as the <c>postgres</c> user, because initdb and postgres refuse to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string Superuser = "app";
    private const int StartAttempts = 3;

    private readonly IMessageSink diagnostics;
    private readonly bool asPostgresUser = Environment.UserName == "root";
    private string? folder;
    private string? binaries;
    private NpgsqlDataSource? admin;

    public PostgresServer(IMessageSink diagnostics)
    {
        this.diagnostics = diagnostics;
    }

    public int Port { get; private set; }

    /// <summary>How long finding the binaries, initdb and the start took.</summary>
    public TimeSpan StartupTime { get; private set; }

    private string DataDirectory => Path.Combine(folder!, "data");

    private string LogFile => Path.Combine(folder!, "server.log");

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        binaries = FindBinaries();
        folder = Path.Combine(Path.GetTempPath(), "events-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(DataDirectory);
        if (asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", folder], asPostgres: false).ConfigureAwait(false);
        }
        // No fsync: the data is thrown away, and syncing the new cluster is most of initdb's time.
        await RunAsync(Path.Combine(binaries, "initdb"), ["-D", DataDirectory, "-A", "trust", "-U", Superuser, "-E", "UTF8", "--locale=C", "--no-sync"], asPostgresUser).ConfigureAwait(false);

        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await RunAsync(Path.Combine(binaries, "pg_ctl"),
                    ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60",
                     "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {DataDirectory} -c fsync=off -c full_page_writes=off", "start"],
                    asPostgresUser).ConfigureAwait(false);
                break;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts)
            {
                // Most likely another process took the port between probing and binding it.
            }
        }

        admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
        await using (var cmd = admin.CreateCommand("SELECT 1"))
        {
            await cmd.ExecuteScalarAsync().ConfigureAwait(false);
        }
        StartupTime = clock.Elapsed;
        diagnostics.OnMessage(new DiagnosticMessage($"PostgreSQL from {binaries} started on 127.0.0.1:{Port} in {StartupTime.TotalMilliseconds:F0} ms"));
    }

    /// <summary>Stops the server (fast shutdown: every connection is cut) and starts it again on the same port, as an outage would.</summary>
    public async Task RestartAsync(TimeSpan downFor)
    {
        await StopAsync().ConfigureAwait(false);
        await Task.Delay(downFor).ConfigureAwait(false);
        await StartAgainAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the server at once; every connection is cut.</summary>
    public Task StopAsync() =>
        RunAsync(Path.Combine(binaries!, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"], asPostgresUser);

    /// <summary>Starts the stopped server again on the same port.</summary>
    public async Task StartAgainAsync()
    {
        await RunAsync(Path.Combine(binaries!, "pg_ctl"),
            ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60",
             "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {DataDirectory} -c fsync=off -c full_page_writes=off", "start"],
            asPostgresUser).ConfigureAwait(false);
        // The outage cut every pooled connection, the fixture's own included.
        if (admin is not null)
        {
            await admin.DisposeAsync().ConfigureAwait(false);
        }
        admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Creates an empty database no one else uses; returns its name and a connection string to it.</summary>
    public async Task<(string Name, string ConnectionString)> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await using var cmd = Admin.CreateCommand($"CREATE DATABASE {name}");
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        return (name, ConnectionString(name));
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing any connection still on it.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        await using var cmd = Admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private NpgsqlDataSource Admin => admin ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Database = database,
        IncludeErrorDetail = true,
    }.ToString();

    public async Task DisposeAsync()
    {
        if (admin is not null)
        {
            await admin.DisposeAsync().ConfigureAwait(false);
        }
        NpgsqlConnection.ClearAllPools();
        if (folder is null)
        {
            return;
        }
        try
        {
            if (binaries is not null && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync(Path.Combine(binaries, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"], asPostgresUser).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The newest installed major version's server binaries.</summary>
    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : -1)
                .FirstOrDefault()
            : null;
        return found is null
            ? throw new InvalidOperationException(
                $"The PostgreSQL store tests need a PostgreSQL server, and none was found ({root}/*/bin/initdb is missing). " +
                "Install Debian's package with 'apt-get install -y postgresql' (./scripts/test does this).")
            : Path.Combine(found, "bin");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not be allowed into the test's own working directory.
            WorkingDirectory = folder ?? Path.GetTempPath(),
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Describe(start)} did not finish within 2 minutes.");
        }
        var output = (await stderr.ConfigureAwait(false)) + (await stdout.ConfigureAwait(false));
        if (process.ExitCode != 0)
        {
            var log = folder is not null && File.Exists(LogFile) ? "\nServer log:\n" + await File.ReadAllTextAsync(LogFile).ConfigureAwait(false) : "";
            throw new InvalidOperationException($"{Describe(start)} exited with code {process.ExitCode}:\n{output}{log}");
        }
    }

    private static string Describe(ProcessStartInfo start) => start.FileName + " " + string.Join(' ', start.ArgumentList);
}
