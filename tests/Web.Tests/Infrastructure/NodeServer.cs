using System.Diagnostics;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// A test server written for Node (a folder of this project with its own npm packages, installed by
/// the build): started with its arguments, ready once it prints "listening {port}", stopped when
/// this process closes its standard input, and by itself after its time limit.
/// </summary>
public static class NodeServer
{
    /// <summary>The script's full path: <paramref name="folder"/>/<paramref name="script"/> beside the test project.</summary>
    public static string Script(string folder, string script) =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", folder, script));

    public static async Task<(Process Process, int Port)> StartAsync(string script, string what, params string[] args)
    {
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("listening ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(int.Parse(e.Data["listening ".Length..]));
            }
        };
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromSeconds(20)));
        if (started != ready.Task)
        {
            process.Kill();
            throw new InvalidOperationException($"The {what} did not start: " + errors);
        }
        return (process, await ready.Task);
    }

    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
