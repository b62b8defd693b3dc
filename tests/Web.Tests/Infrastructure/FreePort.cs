using System.Net;
using System.Net.Sockets;

namespace Events.Web.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port nothing listens on now (the OS picks it; a race with another process is possible but rare).</summary>
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
