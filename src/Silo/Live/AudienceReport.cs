using Orleans;
using Orleans.Concurrency;

namespace Events.Silo.Live;

/// <summary>
/// A node's heartbeat for one session: how many of the session's viewers are connected to it, the
/// least interval between updates its fan-out can take now (it grows under load), and the relay
/// to push updates to. Reporting is also subscribing: a node that stops reporting drops out of
/// the sum and stops receiving updates when the cluster declares its silo dead (at once) or after
/// its silence outlasts the expiry (see <see cref="Audience.Expire"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AudienceReport(string NodeId, int Viewers, int IntervalMs, ISessionRelay Relay);
