using System.Runtime.InteropServices;
using Events.Load;

// The load benchmark. `run` starts the platform (one node, or --nodes K) and, for one node, the
// bare baseline beside it, each pinned to the server core, and drives them from this process and
// its worker processes (pin it to the other core: see docs/benchmarks.md).
if (args is ["baseline", ..])
{
    await BaselineServer.RunAsync(int.Parse(args[Array.IndexOf(args, "--port") + 1]));
    return 0;
}
if (args is ["guard", ..])
{
    return Guard.Run(args[1..]);
}
if (args is ["worker", ..])
{
    return await Worker.RunAsync(args[1..]);
}
if (args is not ["run", ..])
{
    Console.Error.WriteLine("""
        usage: Events.Load run [--smoke] [--rounds N] [--nodes K] [--viewers N] [--hold-seconds S] [--voters N] ... [--out FILE]
               Events.Load baseline --port P
               Events.Load worker|guard ... (started by run)
        """);
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
if (Preflight(settings) is { } refused)
{
    Console.Error.WriteLine(refused);
    return 2;
}

Watchdog.Start(TimeSpan.FromMinutes(settings.TimeLimitMinutes));
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Children.StopAll());
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Children.StopAll());
var report = new Report();
try
{
    await new Scenarios(settings, report).RunAsync();
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    report.Check(false, "the run stopped early: " + e.Message.ReplaceLineEndings(" "));
}
finally
{
    Children.StopAll();
}

var cores = File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
var servers = settings.Nodes > 1
    ? $"{settings.Nodes} platform nodes, Redis and PostgreSQL on core {settings.ServerCore}"
    : settings.SkipBaseline ? $"server on core {settings.ServerCore}" : $"platform and baseline side by side on core {settings.ServerCore}";
var machine = $"{cores} cores ({File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim()}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; {servers}, generator (and its worker processes) on the others";
var markdown = report.ToMarkdown(machine, "Events.Load " + string.Join(' ', args));
Console.WriteLine(markdown);
if (output is not null)
{
    await File.WriteAllTextAsync(output, markdown);
}
return report.Failed ? 1 : 0;

// Refuses, before starting anything, a run that this machine's open-files limit cannot hold.
static string? Preflight(Settings s)
{
    var limit = File.ReadLines("/proc/self/limits").Where(l => l.StartsWith("Max open files", StringComparison.Ordinal))
        .Select(l => long.TryParse(l["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var n) ? n : long.MaxValue)
        .FirstOrDefault(long.MaxValue);
    var perNode = (s.Viewers + s.Nodes - 1) / s.Nodes;
    if (s.Nodes < 1 || s.Rounds < 1)
    {
        return "--nodes and --rounds must be at least 1.";
    }
    if (perNode + 1_000 > limit)
    {
        return $"Each node would hold {perNode:N0} viewers, and a process may open {limit:N0} files here: use more --nodes or fewer --viewers.";
    }
    if (s.SocketsPerProcess + 1_000 > limit || s.VoteWave > s.SocketsPerProcess || s.ChatViewers + 2 * s.ChatSenders + 10 > s.SocketsPerProcess)
    {
        return $"--sockets-per-process ({s.SocketsPerProcess:N0}) must stay 1,000 under the open-files limit ({limit:N0}) and hold a --vote-wave ({s.VoteWave:N0}) and the chat storm's connections ({s.ChatViewers + 2 * s.ChatSenders:N0}).";
    }
    return null;
}
