using Orleans;
using Orleans.Concurrency;

namespace Events.Silo.Live;

/// <summary>
/// A node's relay: the one grain observer per node that session grains push their coalesced
/// updates to. The relay sends each update to the session's SignalR group on its node, once for
/// all of that node's viewers, and drops an update older than the last it saw.
/// </summary>
public interface ISessionRelay : IGrainObserver
{
    [OneWay]
    Task DeliverAsync(SessionUpdate update);
}
