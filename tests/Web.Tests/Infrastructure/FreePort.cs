using System.Net;
using System.Net.Sockets;

namespace Events.Web.Tests.Infrastructure;

public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A loopback port nothing listens on now, for a server a test starts a moment later (a node's
    /// process, Redis, PostgreSQL). Taken below the kernel's ephemeral range: a port from that range
    /// (what binding port 0 gives) can be taken by any outgoing connection before the server binds
    /// it, which failed a node's start under the suite's parallel load. Never the same port twice
    /// in one test run.
    /// </summary>
    public static int Next()
    {
        var (low, _) = EphemeralRange();
        var floor = Math.Max(10_000, low - 12_000);
        lock (Given)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(floor, low);
                if (!Given.Add(port))
                {
                    continue;
                }
                try
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listener.Stop();
                    return port;
                }
                catch (SocketException)
                {
                    // In use: try another.
                }
            }
        }
        throw new InvalidOperationException("No free loopback port below the ephemeral range.");
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0]), int.Parse(parts[1]));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return (32_768, 60_999);
        }
    }
}
