using System.Diagnostics;

namespace Events.Load;

/// <summary>A server under test in its own process, pinned to one core, with its memory and CPU read from /proc.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => process.Id;

    public static async Task<ServerProcess> StartAsync(string core, string dll, string arguments, int port, IDictionary<string, string> environment, string workingDirectory)
    {
        var info = new ProcessStartInfo("taskset", $"-c {core} dotnet \"{dll}\" {arguments}")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && (line.Contains("fail") || line.Contains("crit"))) { Console.Error.WriteLine("[server] " + line); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine("[server] " + line); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}.");
            }
            try
            {
                await http.GetAsync($"http://127.0.0.1:{port}/");
                return new ServerProcess(process, port);
            }
            catch (Exception)
            {
                await Task.Delay(200);
            }
        }
        throw new TimeoutException("The server did not answer within a minute.");
    }

    /// <summary>Resident memory in bytes.</summary>
    public long Rss()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            }
        }
        return 0;
    }

    /// <summary>CPU time used so far (user + system).</summary>
    public TimeSpan CpuTime()
    {
        var fields = File.ReadAllText($"/proc/{Pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the command name: state is field 0, utime is field 11, stime field 12 (clock ticks of 1/100 s).
        return TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
