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
        var folder = Directory.CreateTempSubdirectory("smtp-").FullName;
        var (process, port) = await NodeServer.StartAsync(NodeServer.Script("smtp", "server.mjs"), "SMTP server", folder, User, Password, "300");
        return new SmtpServer(process, port, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await NodeServer.StopAsync(process);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
