using Events.Silo.Bus;
using Events.Silo.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Silo;

public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Registers the live engine with its store (by default SQLite at <c>{dataDirectory}/live.db</c>; with
    /// <c>Store:Provider</c> = <c>postgres</c>, PostgreSQL at <c>Store:Postgres:ConnectionString</c>)
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
        if (string.Equals(provider, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var path = configuration["Store:Sqlite:Path"] ?? Path.Combine(dataDirectory, "live.db");
            services.TryAddSingleton<ILiveStore>(_ => new SqliteLiveStore(path));
        }
        else if (string.Equals(provider, "postgres", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = configuration["Store:Postgres:ConnectionString"];
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Configuration 'Store:Postgres:ConnectionString' is required when 'Store:Provider' is 'postgres'.");
            }
            try
            {
                // Parsed now so a malformed value stops the start instead of the first request.
                _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException e)
            {
                // The value itself is not repeated: it may hold a password.
                throw new InvalidOperationException($"Configuration 'Store:Postgres:ConnectionString' is not a valid PostgreSQL connection string: {e.Message}", e);
            }
            services.TryAddSingleton<ILiveStore>(_ => new PostgresLiveStore(connectionString));
        }
        else
        {
            throw new InvalidOperationException($"Configuration 'Store:Provider' is '{provider}'; the supported values are 'sqlite' and 'postgres'.");
        }
        var nodeId = configuration["Node:Id"] ?? Environment.MachineName + "-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..6];
        var bus = configuration["Bus:Provider"] ?? "inprocess";
        if (string.Equals(bus, "inprocess", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<InProcessBus>();
            services.AddSingleton<ILiveBus>(sp => sp.GetRequiredService<InProcessBus>().ForNode(nodeId));
        }
        else if (string.Equals(bus, "postgres", StringComparison.OrdinalIgnoreCase))
        {
            // Scale-out is asked for explicitly: several nodes share the PostgreSQL store and signal each other through it.
            var connectionString = configuration["Store:Postgres:ConnectionString"];
            if (!string.Equals(provider, "postgres", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Configuration 'Bus:Provider' = 'postgres' needs 'Store:Provider' = 'postgres' and 'Store:Postgres:ConnectionString'.");
            }
            services.AddSingleton(sp => new PostgresBus(connectionString, nodeId, sp.GetRequiredService<ILogger<PostgresBus>>()));
            services.AddSingleton<ILiveBus>(sp => sp.GetRequiredService<PostgresBus>());
        }
        else
        {
            throw new InvalidOperationException($"Configuration 'Bus:Provider' is '{bus}'; the supported values are 'inprocess' and 'postgres'.");
        }
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store")
            .AddCheck<BusHealthCheck>("bus");
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
