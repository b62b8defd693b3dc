using Microsoft.AspNetCore.SignalR;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;

namespace Events.Web.Live;

public static class LiveServiceCollectionExtensions
{
    public static IServiceCollection AddLiveHub(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = new RateLimits();
        configuration.GetSection("RateLimits").Bind(limits, o => o.ErrorOnUnknownConfiguration = true);
        limits.Validate();
        services.AddSingleton(limits);
        services.AddSingleton(limits.Accounts);
        services.AddSingleton<RateGate>();
        services.AddSingleton<HubErrorFilter>();
        services.AddSingleton<VoteSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<VoteSignals>());
        services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = 32 * 1024;
                o.MaximumParallelInvocationsPerClient = 1;
                o.EnableDetailedErrors = false;
                o.AddFilter<HubErrorFilter>();
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        services.AddSingleton<SanctionNames>();
        services.AddSingleton<Fair.BoothStaff>();
        services.AddSingleton<Fair.CallRelay>();
        // After the silo (registered by AddSilo): the relay's observer reference needs a running silo.
        services.AddSingleton<LiveGrains>();
        services.AddSingleton<ReplayTimelines>();
        services.AddSingleton<ReplayEditor>();
        services.AddSingleton<RtmpPublishers>();
        services.AddHostedService<IdlePushes>();
        services.AddSingleton<SessionRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRelay>());
        return services;
    }

    /// <summary>
    /// LiveKit stages for the stream grains (after AddSilo, whose default is none, and AddStreaming,
    /// whose <c>Streaming:LiveKit</c> settings it uses) and their reconciliation.
    /// </summary>
    public static IServiceCollection AddLiveKitStage(this IServiceCollection services)
    {
        services.AddHttpClient(nameof(LiveKitStage), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton(sp => sp.GetRequiredService<Events.Streaming.StreamingOptions>().LiveKit);
        services.AddSingleton<LiveKitStage>();
        services.AddSingleton<Events.Silo.Streams.ILiveKitStage>(sp => sp.GetRequiredService<LiveKitStage>());
        services.AddHostedService<LiveKitReconciler>();
        return services;
    }

    /// <summary>Maps the hub at /hubs/live: WebSockets only, so any node can serve any client without sticky sessions.</summary>
    public static IEndpointRouteBuilder MapLiveHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<LiveHub>("/hubs/live", o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.ApplicationMaxBufferSize = 64 * 1024;
            o.TransportMaxBufferSize = 64 * 1024;
            // A viewer that stops reading fills its 64 KB of buffers; a send to it that then stalls
            // this long closes its connection, so its memory stays bounded and it cannot hold others back.
            o.TransportSendTimeout = TimeSpan.FromSeconds(10);
        });
        return app;
    }
}
