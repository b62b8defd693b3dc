using Events.Silo;
using Events.Streaming;
using Events.Web.Accounts;
using Events.Web.Content;
using Events.Web.Live;
using Events.Web.Localization;
using Events.Web.Pages;
using Microsoft.AspNetCore.Identity;
using Orleans.Dashboard;

namespace Events.Web;

/// <summary>
/// Composes the platform. Each part registers itself (<c>AddSilo</c>, <c>AddAccounts</c>,
/// <c>AddLiveHub</c>, ...); this class only decides where data and content live and maps the endpoints.
/// Tests build the same app with their own configuration through <see cref="Build"/>.
/// </summary>
public static class EventsHost
{
    /// <summary>Where administrators find the Orleans Dashboard (grains, silos, calls per second).</summary>
    public const string DashboardPath = "/admin/orleans";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = FindContentRoot(),
            // Pages are found in the application assembly; under a test host the entry assembly is the test runner.
            ApplicationName = typeof(EventsHost).Assembly.GetName().Name,
        });
        configure?.Invoke(builder);
        var root = FindRepositoryRoot(builder.Environment.ContentRootPath);
        var dataDirectory = Path.GetFullPath(builder.Configuration["Data:Path"] ?? Path.Combine(root, "data"));
        var contentDirectory = Path.GetFullPath(builder.Configuration["Content:Path"] ?? Path.Combine(root, "content"));

        builder.Services.AddSingleton(sp => new ContentStore(contentDirectory, builder.Environment.IsDevelopment(), sp.GetRequiredService<ILogger<ContentStore>>()));
        builder.Services.AddSingleton<ISessionCatalog>(sp => sp.GetRequiredService<ContentStore>());
        RehearsalClock.AddIfConfigured(builder);
        // The Orleans Dashboard is served to administrators only, at /admin/orleans.
        builder.AddSilo(dataDirectory, silo => silo.AddDashboard());
        builder.Services.AddAccounts(builder.Configuration, dataDirectory);
        builder.Services.AddLiveHub(builder.Configuration);
        builder.Services.AddStreaming(builder.Configuration, dataDirectory);
        builder.Services.AddLiveKitStage();
        builder.Services.AddUiLocalization();
        builder.Services.AddSingleton<Pages.SessionStatuses>();
        builder.Services.AddSingleton<Pages.ReplayLibrary>();
        builder.Services.AddVotePageCache();
        // Chinese text is written as characters, not as &#x...; entities three times its size.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddRazorPages(o => 
        {
            o.Conventions.AuthorizeFolder("/Admin", Roles.Administrator);
            o.Conventions.AuthorizeFolder("/Organize", Roles.Organizer);
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddTelemetry(builder.Configuration);
        // ASP.NET Core's "Request starting" lines carry the query string, where browsers put the
        // hub's access_token: they stay off even when an operator turns Microsoft.AspNetCore up.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        var benchmark = Benchmark.BenchmarkApi.IsEnabled(builder);
        var forwarded = ForwardedFromProxies(builder.Configuration);
        var app = builder.Build();
        // Fail at start, naming the file, if the content is malformed.
        app.Services.GetRequiredService<ContentStore>();

        if (forwarded is not null)
        {
            app.UseForwardedHeaders(forwarded);
        }
        app.UseMiddleware<SecurityHeaders>();
        // Localization first, so a page shown for an error is in the person's language.
        app.UseRequestLocalization();
        app.UseErrorPages();
        app.UseStaticFiles();
        app.UseContentImages(contentDirectory);
        app.UseWebSockets();
        app.UseMiddleware<OriginCheck>();
        app.Use(VoteSignals.KeepHubAddress);
        // Routing after the error pages, so a re-executed /error/{code} is routed to its page.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<ViewerCookie>();
        // After authentication: the voting page is kept for anonymous visitors only.
        app.UseOutputCache();

        app.MapGroup("/api/account").WithTags("Account").AddEndpointFilter(SignInGate.FilterApiLoginAsync).AddEndpointFilter(AccountQuotas.FilterApiAsync).MapIdentityApi<Member>();
        app.MapAdminApi();
        Accounts.Roster.RosterApi.MapRosterApi(app);
        app.MapEventsApi();
        app.MapLanguageSwitch();
        app.MapRazorPages();
        app.MapVoteQr();
        app.MapContestExports();
        app.MapLiveHub();
        app.MapStreamingApi();
        app.MapLiveKitApi();
        app.MapRecordingUploads();
        Fair.Applications.ResumeApi.MapResumes(app);
        Fair.FairExports.MapFairExports(app);
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });
        app.MapOrleansDashboard(DashboardPath).RequireAuthorization(Roles.Administrator);
        if (benchmark)
        {
            Benchmark.BenchmarkApi.MapBenchmarkApi(app);
            Benchmark.BenchmarkApi.StopUnlessLoopback(app);
        }
        return app;
    }

    /// <summary>The Web project folder (wwwroot, pages) whether started with dotnet run or from a test's bin folder.</summary>
    /// <summary>
    /// Behind a reverse proxy that terminates HTTPS, the addresses in <c>Proxy:TrustedProxies</c>
    /// may tell the client's address and scheme (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>),
    /// so cookies get <c>Secure</c> and HSTS is sent. <c>X-Forwarded-Host</c> is not taken.
    /// </summary>
    private static Microsoft.AspNetCore.Builder.ForwardedHeadersOptions? ForwardedFromProxies(IConfiguration configuration)
    {
        var listed = configuration.GetSection("Proxy:TrustedProxies").Get<string[]>() ?? [];
        if (listed.Length == 0)
        {
            return null;
        }
        var options = new Microsoft.AspNetCore.Builder.ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var address in listed)
        {
            if (!System.Net.IPAddress.TryParse(address, out var ip))
            {
                throw new InvalidOperationException($"Configuration 'Proxy:TrustedProxies' holds '{address}', which is not an IP address.");
            }
            options.KnownProxies.Add(ip);
        }
        return options;
    }

    private static string FindContentRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Web.csproj")))
                {
                    return dir.FullName;
                }
                var web = Path.Combine(dir.FullName, "src", "Web");
                if (File.Exists(Path.Combine(web, "Web.csproj")))
                {
                    return web;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }

    private static string FindRepositoryRoot(string contentRoot)
    {
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Events.sln")))
            {
                return dir.FullName;
            }
        }
        return contentRoot;
    }
}
