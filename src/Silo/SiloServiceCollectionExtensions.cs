using Events.Silo.Bus;
using Events.Silo.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Silo;

public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Registers the live engine on the embedded default: the SQLite store at <c>{dataDirectory}/live.db</c>
    /// and the in-process bus. The host must register an <see cref="ISessionCatalog"/>.
    /// Settings come from the "Live" section; an unknown provider or a bad value stops the start.
    /// </summary>
    public static IServiceCollection AddSilo(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var options = new LiveOptions();
        configuration.GetSection("Live").Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<LiveMeters>();

        var provider = configuration["Store:Provider"] ?? "sqlite";
        if (!string.Equals(provider, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Configuration 'Store:Provider' is '{provider}'; the supported value is 'sqlite'.");
        }
        var path = configuration["Store:Sqlite:Path"] ?? Path.Combine(dataDirectory, "live.db");
        services.AddSingleton<ILiveStore>(_ => new SqliteLiveStore(path));
        services.AddSingleton<InProcessBus>();
        services.AddSingleton<ILiveBus>(sp => sp.GetRequiredService<InProcessBus>().ForNode(configuration["Node:Id"] ?? Environment.MachineName + "-" + Environment.ProcessId));
        services.AddSingleton(sp => new LiveEngine(
            sp.GetRequiredService<ILiveStore>(),
            sp.GetRequiredService<ILiveBus>(),
            sp.GetRequiredService<ISessionCatalog>(),
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<LiveMeters>()));
        services.AddHostedService<LiveEngineService>();
        return services;
    }

    /// <summary>Creates the store's schema before the host takes traffic, and sweeps idle grains while it runs.</summary>
    private sealed class LiveEngineService(LiveEngine engine, ILogger<LiveEngineService> logger) : BackgroundService
    {
        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            await engine.Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await base.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await engine.SweepAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Sweeping idle grains failed");
                }
            }
        }
    }
}
