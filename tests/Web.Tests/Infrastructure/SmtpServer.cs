using System.Diagnostics;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (npm <c>smtp-server</c>, installed by this project's build; <c>smtp/server.mjs</c>)
/// on a free loopback port, requiring a user name and password. Every message it accepts lands as
/// an <c>.eml</c> file in <see cref="Folder"/>. It stops when this process closes its standard
/// input, and by itself after five minutes.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    public const string User = "platform";
    public const string Password = "smtp-secret-1";

    private readonly Process process;

    private SmtpServer(Process process, int port, string folder)
    {
        this.process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    public string Folder { get; }

    public static async Task<SmtpServer> StartAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "smtp", "server.mjs");
        var folder = Directory.CreateTempSubdirectory("smtp-").FullName;
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.GetFullPath(script), folder, User, Password, "300" })
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
            throw new InvalidOperationException("The SMTP server did not start: " + errors);
        }
        return new SmtpServer(process, await ready.Task, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
