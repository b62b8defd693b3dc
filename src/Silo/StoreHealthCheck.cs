using Events.Silo.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Events.Silo;

/// <summary>Healthy when the store answers a read within two seconds.</summary>
public sealed class StoreHealthCheck(ISessionStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.GetSessionAsync("health").WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.", e);
        }
    }
}
