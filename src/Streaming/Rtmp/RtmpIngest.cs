using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Streaming.Rtmp;

/// <summary>
/// Runs nginx's RTMP module as the node's RTMP ingest, and keeps it running. Its configuration is
/// written under the data folder at every start: one application, <c>live</c>, that asks the
/// platform (<c>on_publish</c>, a POST to <c>/ingest/rtmp/publish</c> answered 2xx or 403) before it
/// accepts a publisher, so a wrong key is refused before any media is taken; an accepted stream is
/// handed to ffmpeg (<c>exec_push</c>), which copies it without re-encoding into HLS pushed to the
/// platform's own origin, like any other push. When the publisher leaves, that ffmpeg reads to the
/// end of its input and ends the playlist itself. ffmpeg's own RTMP listener was not used because
/// it takes any stream key.
/// </summary>
public sealed class RtmpIngest(StreamingOptions options, IServer server, IHostApplicationLifetime lifetime, ILogger<RtmpIngest> logger, string dataDirectory) : BackgroundService
{
    private readonly RtmpOptions rtmp = options.Rtmp;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? nginx;
    private volatile bool stopping;

    /// <summary>Why RTMP is not offered here (what to install), or null when it is.</summary>
    public string? Problem { get; } = FindProblem(options.Rtmp);

    /// <summary>Completes once nginx listens (tests wait for it); never when RTMP is off or missing.</summary>
    public Task Ready => ready.Task;

    private string Folder => Path.Combine(dataDirectory, "rtmp");

    private static string? FindProblem(RtmpOptions rtmp)
    {
        if (!rtmp.Enabled)
        {
            return "RTMP is turned off (Streaming:Rtmp:Enabled).";
        }
        var missing = new List<string>();
        if (!File.Exists(rtmp.NginxPath))
        {
            missing.Add("nginx");
        }
        if (!File.Exists(rtmp.ModulePath))
        {
            missing.Add("libnginx-mod-rtmp");
        }
        if (!File.Exists(rtmp.FfmpegPath))
        {
            missing.Add("ffmpeg");
        }
        return missing.Count == 0 ? null : $"RTMP needs {string.Join(", ", missing)} on this server: sudo apt-get install {string.Join(' ', missing)}";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Problem is not null)
        {
            if (rtmp.Enabled)
            {
                logger.LogWarning("{Problem}. HLS pushes over HTTP work without it.", Problem);
            }
            return;
        }
        // The callbacks and the HLS push go to this node's own HTTP address, known once Kestrel listens.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        var self = OwnAddress();
        Directory.CreateDirectory(Folder);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            StopLeftover();
            await File.WriteAllTextAsync(Path.Combine(Folder, "nginx.conf"), Configuration(self), stoppingToken);
            // nginx and its ffmpeg children write to this process's own console (ffmpeg only its errors).
            var info = new ProcessStartInfo(rtmp.NginxPath) { UseShellExecute = false, WorkingDirectory = Folder };
            foreach (var a in new[] { "-p", Folder + "/", "-c", Path.Combine(Folder, "nginx.conf"), "-e", Path.Combine(Folder, "error.log") })
            {
                info.ArgumentList.Add(a);
            }
            var startedAt = Stopwatch.GetTimestamp();
            using var process = Process.Start(info)!;
            nginx = process;
            logger.LogInformation("RTMP ingest listening on rtmp://{Address}:{Port}/live (nginx {Pid})", rtmp.Address, rtmp.Port, process.Id);
            _ = WhenListeningAsync(stoppingToken);
            try
            {
                await process.WaitForExitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (stopping)
            {
                break;
            }
            failures = Stopwatch.GetElapsedTime(startedAt) > TimeSpan.FromMinutes(1) ? 1 : failures + 1;
            var wait = TimeSpan.FromSeconds(Math.Min(60, 2 << Math.Min(failures, 5)));
            logger.LogError("The RTMP ingest (nginx) exited with {Code} (see {Log}); starting it again in {Wait} s", process.ExitCode, Path.Combine(Folder, "error.log"), wait.TotalSeconds);
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        stopping = true;
        if (nginx is { HasExited: false } running)
        {
            // SIGQUIT: nginx finishes its connections, and its ffmpeg children get SIGTERM and end their playlists.
            Signal(running.Id, 3);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await running.WaitForExitAsync(bounded.Token);
            }
            catch (OperationCanceledException)
            {
                running.Kill(entireProcessTree: true);
            }
        }
        await base.StopAsync(cancellationToken);
    }

    private async Task WhenListeningAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < 100 && !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(rtmp.Address, rtmp.Port, cancellationToken);
                ready.TrySetResult();
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>An nginx left by a node that was killed (its pid file remains) still holds the port: stop it.</summary>
    private void StopLeftover()
    {
        var pidFile = Path.Combine(Folder, "nginx.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var old = Process.GetProcessById(pid);
                if (old.ProcessName == "nginx")
                {
                    old.Kill(entireProcessTree: true);
                    old.WaitForExit(5000);
                }
            }
            catch (ArgumentException)
            {
                // Not running any more.
            }
        }
        File.Delete(pidFile);
    }

    private string OwnAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("RTMP ingest needs the node to listen on plain HTTP on some address (its own nginx calls it there).");
        var uri = new Uri(address.Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1").Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1"));
        return $"http://127.0.0.1:{uri.Port}";
    }

    private string Configuration(string self) => string.Create(CultureInfo.InvariantCulture, $$"""
        # Written by the platform at every start (src/Streaming/Rtmp/RtmpIngest.cs); edits are lost.
        load_module {{rtmp.ModulePath}};
        daemon off;
        worker_processes 1;
        pid nginx.pid;
        error_log error.log warn;
        events { worker_connections 512; }
        rtmp {
            server {
                listen {{rtmp.Address}}:{{rtmp.Port}};
                chunk_size 4096;
                application live {
                    live on;
                    record off;
                    allow play 127.0.0.1;
                    deny play all;
                    drop_idle_publisher 10s;
                    # Players (the ffmpeg below) are closed when their publisher leaves: ffmpeg reads
                    # to the end, writes the last segment and the playlist's end, and exits.
                    idle_streams off;
                    on_publish {{self}}/ingest/rtmp/publish;
                    on_publish_done {{self}}/ingest/rtmp/done;
                    exec_push {{rtmp.FfmpegPath}} -hide_banner -loglevel error -nostdin -i rtmp://127.0.0.1:{{rtmp.Port}}/live/$name {{rtmp.OutputArguments(self + "/ingest/rtmp/$name")}};
                    # nginx signals exec children when the publisher leaves; SIGTERM would cut ffmpeg off
                    # before its last segment and the playlist's end. SIGCONT changes nothing for a running
                    # process, so ffmpeg ends by itself at the end of its input.
                    exec_kill_signal cont;
                }
            }
        }
        """);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);
}
