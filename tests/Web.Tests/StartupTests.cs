using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Events.Web.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Events.Web.Tests;

public sealed class StartupTests
{
    /// <summary>Keeps every log entry at warning level or above.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Problems { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner.Problems.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception?.Message}");
                }
            }
        }
    }

    [Fact]
    public async Task A_first_start_on_an_empty_data_folder_logs_no_errors_and_sign_ins_survive_a_restart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "events-startup-" + Guid.NewGuid().ToString("N"));
        var logs = new CapturedLogs();
        try
        {
            string token;
            await using (var first = await LiveHost.StartAsync(dataFolder: folder, services: (services, _) => services.AddSingleton<ILoggerProvider>(logs)))
            {
                token = (await first.CreateAccountAsync("ada")).Token;
            }
            Assert.Empty(logs.Problems);

            await using var second = await LiveHost.StartAsync(dataFolder: folder, services: (services, _) => services.AddSingleton<ILoggerProvider>(logs));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account/manage/info");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var info = await second.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
            Assert.Contains("ada1@test.example", await info.Content.ReadAsStringAsync());
            Assert.Empty(logs.Problems);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("Cluster:Provider", "redsi", "Cluster:Provider")]
    [InlineData("Store:Provider", "postgress", "Store:Provider")]
    [InlineData("Store:Sqlite:Pth", "x.db", "Pth")]
    [InlineData("Cluster:SiloPortt", "5", "SiloPortt")]
    [InlineData("Cluster:DeadNodeAfter", "00:10:00", "Cluster:DeadNodeAfter")]
    [InlineData("Bus:Provider", "postgres", "Bus")]
    [InlineData("Node:Id", "a", "Node")]
    [InlineData("Clock:StartAt", "someday", "Clock:StartAt")]
    [InlineData("Clock:Start", "2026-12-12T13:00:00+08:00", "Clock:Start")]
    [InlineData("Mail:Provder", "Smtp", "Provder")]
    [InlineData("Mail:Provider", "smpt", "Mail:Provider")]
    [InlineData("Mail:Provider", "Smtp", "Mail:Smtp:Host")]
    [InlineData("Mail:Smtp:Hots", "mail.example", "Hots")]
    [InlineData("Mail:PublicUrl", "events.example.edu", "Mail:PublicUrl")]
    public async Task A_misspelt_or_invalid_engine_setting_stops_the_start_and_names_the_key(string key, string value, string named)
    {
        var failure = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => LiveHost.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(named, failure.Message);
    }

    [Fact]
    public async Task The_Orleans_dashboard_is_for_administrators_only()
    {
        await using var host = await LiveHost.StartAsync();
        var member = await host.CreateAccountAsync("member");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };
        var refused = await anonymous.GetAsync(EventsHost.DashboardPath + "/");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/account/login", refused.Headers.Location!.ToString());

        using var asMember = await host.SignInWithFormAsync(member.Email, member.Password);
        var forbidden = await asMember.GetAsync(EventsHost.DashboardPath + "/");
        Assert.True(forbidden.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Forbidden, forbidden.StatusCode.ToString());
        Assert.DoesNotContain("/account/login", forbidden.Headers.Location?.ToString() ?? "");

        using var asAdmin = await host.SignInWithFormAsync("admin@test.example", "admin-pass-1");
        var dashboard = await asAdmin.GetAsync(EventsHost.DashboardPath + "/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Orleans", await dashboard.Content.ReadAsStringAsync());
    }
    [Fact]
    public async Task The_benchmark_token_endpoint_refuses_a_start_with_any_address_but_loopback_even_from_a_Kestrel_endpoint()
    {
        var folder = Path.Combine(Path.GetTempPath(), "events-bench-" + Guid.NewGuid().ToString("N"));
        // Nothing is bound: the start is refused while the app is built.
        var failure = Assert.Throws<InvalidOperationException>(() => EventsHost.Build(["--environment", "Benchmark", "--urls", "http://127.0.0.1:0"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Data:Path"] = folder,
                ["Benchmark:Enabled"] = "true",
                ["Kestrel:Endpoints:Open:Url"] = "http://0.0.0.0:5999",
            })));
        Assert.Contains("'http://0.0.0.0:5999' is not", failure.Message);
        // Loopback endpoints of either family are taken.
        await using var app = EventsHost.Build(["--environment", "Benchmark", "--urls", "http://127.0.0.1:0"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Data:Path"] = folder,
                ["Benchmark:Enabled"] = "true",
                ["Kestrel:Endpoints:Six:Url"] = "http://[::1]:0",
            }));
        Assert.NotNull(app);
    }

    /// <summary>Keeps every log message, of every level the configuration lets through.</summary>
    private sealed class AllLogs : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(AllLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue((category, formatter(state, exception)));
        }
    }

    [Fact]
    public async Task A_bearer_token_in_the_hub_address_is_never_written_to_the_log_even_with_ASP_NET_Core_logging_turned_up()
    {
        var logs = new AllLogs();
        await using var host = await LiveHost.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug", ["Logging:LogLevel:Default"] = "Debug" },
            services: (services, _) => services.AddSingleton<ILoggerProvider>(logs));
        var member = await host.CreateAccountAsync("logged");
        await using (var connection = await host.ConnectAsync(member.Token))
        {
            Assert.True((await connection.InvokeAsync<Web.Live.HubResult<Silo.Live.SessionSnapshot>>("JoinSession", "contest-final")).Ok);
        }
        await Task.Delay(200);
        // The logging was really turned up (the test would see a token if one were written)...
        Assert.Contains(logs.Lines, l => l.Category.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) && l.Message.Contains("/hubs/live"));
        // ...and no line holds the token, nor the query parameter that carries it.
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(member.Token[..40], StringComparison.Ordinal) || l.Message.Contains("access_token=", StringComparison.Ordinal));
    }
    [Fact]
    public async Task An_accounts_database_from_before_registration_times_gets_the_column_and_its_accounts_sign_in()
    {
        var folder = Path.Combine(Path.GetTempPath(), "events-oldaccounts-" + Guid.NewGuid().ToString("N"));
        try
        {
            Account account;
            await using (var first = await LiveHost.StartAsync(dataFolder: folder))
            {
                account = await first.CreateAccountAsync("early");
            }
            // The column did not exist then.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "accounts.db")}"))
            {
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = "ALTER TABLE \"AspNetUsers\" DROP COLUMN created_at";
                await drop.ExecuteNonQueryAsync();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await using var second = await LiveHost.StartAsync(dataFolder: folder);
            Assert.False(string.IsNullOrEmpty(await second.LoginAsync(account.Email, account.Password)));
            var later = await second.CreateAccountAsync("later");
            await using var scope = second.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Accounts.Member>>();
            Assert.Equal(0, (await users.FindByIdAsync(account.Id))!.CreatedAt);
            Assert.True((await users.FindByIdAsync(later.Id))!.CreatedAt > 0);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
