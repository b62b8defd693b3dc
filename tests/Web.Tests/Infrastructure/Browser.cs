using Microsoft.Playwright;

namespace Events.Web.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright; Playwright's own browser download cannot work here.</summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Flags for 1:1 calls: Chromium's fake camera and microphone, granted without asking, and ICE over loopback (no test traffic may use another address).</summary>
    public static readonly string[] FakeMedia = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection"];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(params string[] extraArgs)
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: the README's test command installs Debian's chromium package.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", .. extraArgs],
        });
        return (playwright, browser);
    }

    /// <summary>
    /// Chromium alone in a network namespace of its own whose only interface is loopback, for the
    /// 1:1 call tests: WebRTC gathers candidates on every interface it sees, so this is how a call
    /// between two of its pages uses no address but 127.0.0.1 and ::1 (rule 9). The host's pages
    /// reach it through <paramref name="unixSocket"/> (the test host listens there too), which socat
    /// inside the namespace serves as 127.0.0.1:<paramref name="port"/>, the host's own address, so
    /// URLs, origins and cookies are as usual. The forwarder stops with the browser, and after 20
    /// minutes at most.
    /// </summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchIsolatedAsync(string unixSocket, int port, params string[] extraArgs)
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: the README's test command installs Debian's chromium package.");
        Assert.True(File.Exists("/usr/bin/socat"), "socat is missing: the README's test command installs it.");
        Assert.True(OperatingSystem.IsLinux(), "a browser in its own network namespace needs Linux (unshare)");
        var wrapper = Path.Combine(Path.GetTempPath(), "events-chromium-isolated.sh");
        await File.WriteAllTextAsync(wrapper, """
            #!/bin/sh
            exec unshare --user --map-root-user --net sh -c '
              ip link set lo up || exit 1
              timeout 1200 socat TCP-LISTEN:"$EVENTS_PORT",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:"$EVENTS_SOCKET" &
              forward=$!
              sleep 0.2
              /usr/bin/chromium "$@"
              status=$?
              kill $forward 2>/dev/null
              exit $status' chromium "$@"

            """);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException();
        }
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Playwright's Env replaces the browser's whole environment: this one's, plus the two.
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
        env["EVENTS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["EVENTS_SOCKET"] = unixSocket;
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = wrapper,
            Headless = true,
            Env = env,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", .. extraArgs],
        });
        return (playwright, browser);
    }

    /// <summary>Where screenshots go, for a person to look at after a run.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name + ".png");
    }
}
