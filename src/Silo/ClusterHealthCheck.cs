using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Events.Silo;

/// <summary>Healthy while this node's silo is an active member of the cluster; says how many silos are active.</summary>
public sealed class ClusterHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var data = new Dictionary<string, object> { ["silo"] = local.SiloAddress.ToString(), ["activeSilos"] = active };
        var mine = snapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(mine == SiloStatus.Active
            ? HealthCheckResult.Healthy($"This silo is active; {active} active in the cluster.", data)
            : HealthCheckResult.Unhealthy($"This silo is {mine}.", data: data));
    }
}
