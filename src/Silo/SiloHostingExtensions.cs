using System.Net;
using Events.Silo.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Events.Silo;

public static class SiloHostingExtensions
{
    /// <summary>
    /// Co-hosts this node's Orleans silo and registers the live engine's store. Settings: "Store"
    /// (SQLite at <c>{dataDirectory}/live.db</c> by default, or PostgreSQL), "Cluster" (one silo with
    /// localhost clustering by default, or Redis membership for several nodes) and "Live". Every
    /// section is bound strictly: an unknown key or a bad value stops the start and names the key.
    /// The host must register an <see cref="ISessionCatalog"/>.
    /// </summary>
    /// <param name="configureSilo">The host's additions to the silo (the dashboard).</param>
    public static IHostApplicationBuilder AddSilo(this IHostApplicationBuilder builder, string dataDirectory, Action<ISiloBuilder>? configureSilo = null)
    {
        var configuration = builder.Configuration;
        if (configuration.GetSection("Bus").Exists())
        {
            throw new InvalidOperationException("Configuration 'Bus' is no longer used: nodes form an Orleans cluster; set 'Cluster:Provider' and 'Cluster:Redis:ConnectionString' instead.");
        }
        if (configuration.GetSection("Node").Exists())
        {
            throw new InvalidOperationException("Configuration 'Node' is no longer used: a node is named by its silo's address ('Cluster:AdvertisedAddress' and 'Cluster:SiloPort').");
        }
        var live = Bind<LiveOptions>(configuration, "Live");
        live.Validate();
        var storeSettings = Bind<StoreSettings>(configuration, "Store");
        storeSettings.Validate();
        var cluster = Bind<ClusterSettings>(configuration, "Cluster");
        cluster.Validate();
        var fair = Bind<Fair.FairOptions>(configuration, "Fair");
        fair.Validate();

        var services = builder.Services;
        services.AddSingleton(live);
        services.AddSingleton(cluster);
        services.AddSingleton(fair);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new EventClock());
        services.AddMetrics();
        services.AddSingleton<LiveMeters>();
        if (storeSettings.Provider == StoreProvider.Postgres)
        {
            services.TryAddSingleton<ILiveStore>(_ => new PostgresLiveStore(storeSettings.Postgres.ConnectionString!));
        }
        else
        {
            var path = storeSettings.Sqlite.Path ?? Path.Combine(dataDirectory, "live.db");
            services.TryAddSingleton<ILiveStore>(_ => new SqliteLiveStore(path));
        }
        services.AddLiveStoreParts();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store")
            .AddCheck<ClusterHealthCheck>("cluster");
        // Registered before the silo so the schema exists before any grain activates.
        services.AddHostedService<StoreInitializer>();

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            var address = IPAddress.Parse(cluster.AdvertisedAddress);
            if (cluster.Provider == ClusterProvider.Redis)
            {
                silo.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(cluster.Redis.ConnectionString!));
                silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort, cluster.ListenOnAnyAddress);
            }
            else
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
                silo.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = address;
                    o.SiloPort = cluster.SiloPort;
                    o.GatewayPort = cluster.GatewayPort;
                });
            }
            silo.Configure<ClusterMembershipOptions>(o => TuneMembership(o, cluster.DeadNodeAfter));
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.CallTimeout);
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.CollectionAge = live.IdleDeactivation;
                o.CollectionQuantum = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, live.IdleDeactivation.Ticks / 2));
            });
            configureSilo?.Invoke(silo);
        });
        return builder;
    }

    /// <summary>
    /// Orleans' defaults take about 15 s to declare a silo dead; live viewers and voters should not
    /// wait that long for its grains to come back elsewhere. Three missed probes of a third of the
    /// allowance each, and (from three silos on) two votes: a silo that is only busy (a vote storm, a
    /// start on a loaded machine) answers one probe in three and is not declared dead by one
    /// overloaded peer. Measured: a first version (two probes, one vote, 3 s) declared a starting
    /// node dead when three nodes started on one busy core, and it killed itself.
    /// </summary>
    private static void TuneMembership(ClusterMembershipOptions o, TimeSpan deadAfter)
    {
        o.ProbeTimeout = deadAfter / 3;
        o.NumMissedProbesLimit = 3;
        o.NumVotesForDeathDeclaration = 2;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>Each part of the store that grains and services depend on, all answered by the one registered <see cref="ILiveStore"/>.</summary>
    public static IServiceCollection AddLiveStoreParts(this IServiceCollection services)
    {
        services.TryAddSingleton<ISessionStore>(sp => sp.GetRequiredService<ILiveStore>());
        services.TryAddSingleton<IChatStore>(sp => sp.GetRequiredService<ILiveStore>());
        services.TryAddSingleton<ISanctionStore>(sp => sp.GetRequiredService<ILiveStore>());
        services.TryAddSingleton<IRoundStore>(sp => sp.GetRequiredService<ILiveStore>());
        services.TryAddSingleton<IStreamStore>(sp => sp.GetRequiredService<ILiveStore>());
        services.TryAddSingleton<Contests.IJudgingStore>(sp => sp.GetRequiredService<ILiveStore>());
        services.TryAddSingleton<Fair.IBoothQueueStore>(sp => sp.GetRequiredService<ILiveStore>());
        services.TryAddSingleton<Streams.ILiveKitStage, Streams.NoLiveKit>();
        return services;
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var settings = new T();
        configuration.GetSection(section).Bind(settings, o => o.ErrorOnUnknownConfiguration = true);
        return settings;
    }

    /// <summary>Creates the store's schema before the silo starts taking calls.</summary>
    private sealed class StoreInitializer(ILiveStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
