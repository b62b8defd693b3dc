using Events.Silo;
using OpenTelemetry.Metrics;

namespace Events.Web;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Exports the engine's meters and ASP.NET Core's (requests, Kestrel and SignalR connections)
    /// over OTLP when "OpenTelemetry:Endpoint" is set; without it the meters are still readable
    /// with dotnet-counters. Exporting is asked for explicitly, never on by default.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration["OpenTelemetry:Endpoint"] is not { Length: > 0 } endpoint)
        {
            return services;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException($"Configuration 'OpenTelemetry:Endpoint' must be an absolute URL, e.g. http://127.0.0.1:4317.");
        }
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(LiveMeters.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections")
            .AddOtlpExporter(o => o.Endpoint = uri));
        return services;
    }
}
