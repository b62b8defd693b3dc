using Events.Silo.Fair;
using Events.Web.Live;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Fair;

/// <summary>
/// This node's hand to the people in booth queues and calls who are connected here (one grain
/// observer per node, <see cref="ICallPeer"/>): a queue grain tells it "you are called", "the
/// student answered", the other side's WebRTC offer, answer and candidates, and it sends each to
/// that person's connections on this node (the hub's <c>Call</c> message). The hub hands the
/// reference to the grain with each queue call, so a person who reconnects to another node is
/// reached there from their next call on.
/// </summary>
public sealed class CallRelay : ICallPeer
{
    private readonly IHubContext<LiveHub, ILiveClient> hub;
    private readonly ILogger<CallRelay> logger;

    public CallRelay(IGrainFactory grains, IHubContext<LiveHub, ILiveClient> hub, ILogger<CallRelay> logger)
    {
        this.hub = hub;
        this.logger = logger;
        // Kept for the node's life: the runtime holds observers only as long as someone else does.
        Reference = grains.CreateObjectReference<ICallPeer>(this);
    }

    public ICallPeer Reference { get; }

    public Task NotifyAsync(string userId, CallSignal signal)
    {
        _ = SendAsync(userId, signal);
        return Task.CompletedTask;
    }

    private async Task SendAsync(string userId, CallSignal signal)
    {
        try
        {
            await hub.Clients.User(userId).Call(signal);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Telling {User} of call {Company}/{Ticket} ({Kind}) failed", userId, signal.Company, signal.Ticket, signal.Kind);
        }
    }
}
