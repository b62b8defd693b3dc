using System.Diagnostics;

namespace Events.Web.Tests;

/// <summary>
/// Keeps the load benchmark working: runs its generator at smoke scale (a few hundred connections
/// for a few seconds) against a real platform process and the baseline. No timing is asserted;
/// the generator itself fails on any lost update, vote or message.
/// </summary>
public sealed class LoadSmokeTests
{
    [Fact]
    public async Task The_benchmark_runs_at_smoke_scale_and_finds_nothing_lost()
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains("/Release/") ? "Release" : "Debug";
        var root = new DirectoryInfo(here);
        while (!File.Exists(Path.Combine(root.FullName, "Events.sln")))
        {
            root = root.Parent!;
        }
        var generator = Path.Combine(root.FullName, "tests", "Load", "bin", configuration, "net10.0", "Events.Load.dll");
        Assert.True(File.Exists(generator), $"{generator} is missing: the solution build builds it.");
        var info = new ProcessStartInfo("dotnet", $"\"{generator}\" run --smoke")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root.FullName,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        var table = await output;
        Assert.True(process.ExitCode == 0, table + await errors);
        foreach (var scenario in new[] { "| hold |", "| broadcast |", "| vote to screen |", "| vote storm |", "| chat storm |", "| broadcast (baseline) |", "| echo storm (baseline) |", "| chat fan-out (baseline) |", "| hls origin |", "| static files (baseline) |", "| voting page |", "| static page (baseline) |" })
        {
            Assert.Contains(scenario, table);
        }
        Assert.Contains("(0 lost)", table);
        Assert.Contains("recount equal", table);
        Assert.Contains("(0 missing)", table);
    }
}
