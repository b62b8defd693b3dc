using System.Runtime.InteropServices;
using Events.Load;

// The load benchmark. `run` starts the platform and then the bare baseline, each pinned to the
// server core, and drives them from this process (pin it to the other core: see docs/benchmarks.md).
if (args.Length >= 1 && args[0] == "baseline")
{
    await BaselineServer.RunAsync(int.Parse(args[Array.IndexOf(args, "--port") + 1]));
    return 0;
}
if (args.Length == 0 || args[0] != "run")
{
    Console.Error.WriteLine("usage: Events.Load run [--smoke] [--viewers N] [--hold-seconds S] [--voters N] ... [--out FILE]\n       Events.Load baseline --port P");
    return 2;
}

var settings = args.Contains("--smoke") ? Settings.Smoke() : new Settings();
string? output = null;
var rest = new List<string>();
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--out")
    {
        output = args[++i];
    }
    else
    {
        rest.Add(args[i]);
    }
}
settings.Apply(rest.ToArray());
if (settings.Repository.Length == 0)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Events.sln")))
        {
            settings.Repository = dir.FullName;
            break;
        }
    }
}
if (settings.WebDll.Length == 0)
{
    var configuration = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
    settings.WebDll = Path.Combine(settings.Repository, "src", "Web", "bin", configuration, "net10.0", "Events.Web.dll");
}
if (!File.Exists(settings.WebDll))
{
    Console.Error.WriteLine($"{settings.WebDll} is missing: build src/Web first.");
    return 2;
}

var report = new Report();
var scenarios = new Scenarios(settings, report);
await scenarios.RunPlatformAsync();
if (!settings.SkipBaseline)
{
    await scenarios.RunBaselineAsync();
}

var cores = File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
var machine = $"{cores} cores ({File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim()}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; server on core {settings.ServerCore}, generator on the others";
var markdown = report.ToMarkdown(machine, "Events.Load " + string.Join(' ', args));
Console.WriteLine(markdown);
if (output is not null)
{
    await File.WriteAllTextAsync(output, markdown);
}
return report.Failed ? 1 : 0;
