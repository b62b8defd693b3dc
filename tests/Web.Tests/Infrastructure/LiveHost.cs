using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using System.Net.Http.Json;
using Events.Web.Accounts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// The whole platform on a real Kestrel at 127.0.0.1 on a free port, with its SQLite files in a
/// fresh temporary folder and the repository's demo content. Clients are the official SignalR
/// client over real WebSockets, authenticated with bearer tokens from the real account API.
/// </summary>
public sealed class LiveHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string dataFolder;
    private readonly bool keepData;
    private int accounts;

    private LiveHost(WebApplication app, string dataFolder, bool keepData)
    {
        this.app = app;
        this.dataFolder = dataFolder;
        this.keepData = keepData;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => !a.Contains("unix:", StringComparison.Ordinal));
        BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        Http = new HttpClient { BaseAddress = BaseUrl };
    }

    public Uri BaseUrl { get; }

    /// <summary>The host's live store, to check what was (or was not) written.</summary>
    public Silo.Store.ILiveStore Store() => app.Services.GetRequiredService<Silo.Store.ILiveStore>();

    /// <summary>The host's data folder (SQLite files, blobs).</summary>
    public string DataFolder => dataFolder;

    /// <summary>Where the host writes its mail (the embedded default's <c>.eml</c> folder).</summary>
    public string MailFolder => Path.Combine(dataFolder, "mail");

    public Uri HubUrl => new(BaseUrl, "/hubs/live");

    public HttpClient Http { get; }

    public IServiceProvider Services => app.Services;

    /// <param name="settings">Configuration over the test defaults.</param>
    /// <param name="dataFolder">A folder to start over (kept on dispose); a fresh one (deleted on dispose) when null.</param>
    /// <param name="services">Registrations made before the platform's own (which add only what is missing), e.g. a store wrapper or a log provider.</param>
    /// <param name="unixSocket">A Unix socket the host listens on as well (for a browser in a network namespace of its own, <see cref="Browser.LaunchIsolatedAsync"/>).</param>
    public static async Task<LiveHost> StartAsync(IDictionary<string, string?>? settings = null, string? dataFolder = null, Action<IServiceCollection, string>? services = null, string? unixSocket = null)
    {
        var keepData = dataFolder is not null;
        dataFolder ??= Path.Combine(Path.GetTempPath(), "events-web-" + Guid.NewGuid().ToString("N"));
        var urls = unixSocket is null ? "http://127.0.0.1:0" : $"http://127.0.0.1:0;http://unix:{unixSocket}";
        var app = EventsHost.Build(["--urls", urls, "--environment", "Test"], builder =>
        {
            var config = new Dictionary<string, string?>
            {
                ["Data:Path"] = dataFolder,
                // The demo content's schedule as seen on 2026-12-01, whatever the real date.
                ["Clock:StartAt"] = TestClock.StartAt,
                ["Admin:Email"] = "admin@test.example",
                ["Admin:Password"] = "admin-pass-1",
                // Generous limits: these tests are about correctness; one test sets strict ones.
                ["RateLimits:Chat:Burst"] = "1000",
                // Tests register many accounts from 127.0.0.1 (AccountTests checks the real limits).
                ["RateLimits:Accounts:RegistrationsPerAddress"] = "100000",
                ["RateLimits:Accounts:MailRequestsPerAddress"] = "100000",
                ["RateLimits:Chat:PerSecond"] = "1000",
                ["RateLimits:Vote:Burst"] = "1000",
                ["RateLimits:Vote:PerSecond"] = "1000",
                ["RateLimits:Join:Burst"] = "1000",
                ["RateLimits:Join:PerSecond"] = "1000",
                ["Live:Tick"] = "00:00:00.100",
                ["RateLimits:Queue:Burst"] = "1000",
                ["RateLimits:Queue:PerSecond"] = "1000",
                // Each host would start its own nginx on 1935; the RTMP tests turn it on with a port of their own.
                ["Streaming:Rtmp:Enabled"] = "false",
                ["Live:PresenceFlush"] = "00:00:00.100",
                // Each host is its own one-silo cluster; tests run several at once in this process.
                ["Cluster:SiloPort"] = FreePort.Next().ToString(),
                ["Cluster:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..10],
            };
            foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            {
                config[k] = v;
            }
            builder.Configuration.AddInMemoryCollection(config);
            services?.Invoke(builder.Services, dataFolder);
            // Password hashing at full strength costs ~0.1 s per account; tests make hundreds.
            builder.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000);
        });
        await app.StartAsync();
        return new LiveHost(app, dataFolder, keepData);
    }

    /// <summary>Registers a member through the account API and returns a bearer token, after granting the roles given.</summary>
    public async Task<Account> CreateAccountAsync(string? name = null, params string[] roles)
    {
        var n = Interlocked.Increment(ref accounts);
        var email = $"{name ?? "member"}{n}@test.example";
        const string password = "test-pass-1";
        var registered = await Http.PostAsJsonAsync("/api/account/register", new { email, password });
        registered.EnsureSuccessStatusCode();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Member>>();
        var member = (await users.FindByEmailAsync(email))!;
        member.DisplayName = name is null ? $"Member {n}" : $"{name} {n}";
        // Confirmed as by its mailed link (AccountTests follow the real link).
        member.EmailConfirmed = true;
        await users.UpdateAsync(member);
        foreach (var role in roles)
        {
            await users.AddToRoleAsync(member, role);
        }
        return new Account(member.Id, member.DisplayName, email, password, await LoginAsync(email, password));
    }

    /// <summary>A new organizer and the session's stream key, as the control room gets it (over the hub).</summary>
    public async Task<(Account Organizer, string Key)> OrganizerWithStreamKeyAsync(string sessionId)
    {
        var organizer = await CreateAccountAsync("org", Roles.Organizer);
        await using var client = await LiveClient.JoinAsync(this, sessionId, organizer.Token);
        var key = await client.InvokeAsync<Silo.Streams.StreamKeyView>("GetStreamKey", sessionId);
        Assert.True(key.Ok, key.Error?.Message);
        return (organizer, key.Value!.Key);
    }

    public async Task<string> LoginAsync(string email, string password)
    {
        var response = await Http.PostAsJsonAsync("/api/account/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return body!.AccessToken;
    }

    /// <summary>Makes the account a representative of the company, as accepting an organizer's invitation does (CompanyRepTests walk that).</summary>
    public async Task MakeCompanyRepAsync(Account account, string company)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Accounts.AccountsDbContext>();
        db.CompanyReps.Add(new Accounts.Companies.CompanyRep { UserId = account.Id, Company = company, AddedAt = 1 });
        await db.SaveChangesAsync();
    }

    /// <summary>A browser: cookies kept, redirects not followed, in one language.</summary>
    public HttpClient Browser(string language = "en")
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return client;
    }

    /// <summary>Signs in through the real sign-in form (antiforgery token and all) and returns a client holding the cookie.</summary>
    public Task<HttpClient> SignInWithFormAsync(string email, string password) => SignInWithFormAsync(BaseUrl, email, password);

    /// <summary>The same on any node's address.</summary>
    public static async Task<HttpClient> SignInWithFormAsync(Uri baseUrl, string email, string password)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseUrl };
        var token = AntiforgeryToken(await client.GetStringAsync("/account/login"));
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>The antiforgery token a rendered form carries, as a browser would post it back.</summary>
    public static string AntiforgeryToken(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;

    /// <summary>A started hub connection; anonymous without a token.</summary>
    public Task<HubConnection> ConnectAsync(string? token = null, string? origin = null) => ConnectAsync(HubUrl, token, origin);

    /// <summary>A started hub connection to any node's hub; anonymous without a token.</summary>
    public static async Task<HubConnection> ConnectAsync(Uri hubUrl, string? token, string? origin = null, string? cookie = null)
    {
        var builder = new HubConnectionBuilder();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionFactory>(new WebSocketConnectionFactory(hubUrl, token, origin, cookie));
        builder.Services.AddSingleton<System.Net.EndPoint>(new Microsoft.AspNetCore.Connections.UriEndPoint(hubUrl));
        var connection = builder.Build();
        await connection.StartAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (keepData)
        {
            return;
        }
        try
        {
            Directory.Delete(dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finalizer; the temp folder is cleaned by the OS.
        }
    }

    private sealed record TokenResponse(string AccessToken);
}

public sealed record Account(string Id, string DisplayName, string Email, string Password, string Token);
