using Events.Silo.Bus;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Events.Silo;

/// <summary>The in-process bus is always up; the PostgreSQL bus is healthy while its listening connection is.</summary>
public sealed class BusHealthCheck(ILiveBus bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bus is PostgresBus { IsListening: false }
            ? HealthCheckResult.Unhealthy("The bus is not listening; the node is reconnecting.")
            : HealthCheckResult.Healthy());
}
