namespace Events.Silo.Bus;

/// <summary>
/// Carries low-rate signals between the nodes that serve the same sessions. Delivery is in
/// publish order per publisher and at most once; a receiver that may have missed signals
/// catches up from the store, which is the source of truth.
/// </summary>
public interface ILiveBus
{
    /// <summary>This node's id, stamped on everything it publishes.</summary>
    string NodeId { get; }

    ValueTask PublishAsync(BusSignal signal);

    /// <summary>Registers a handler for every signal, this node's own included; dispose the result to stop.</summary>
    IDisposable Subscribe(Func<BusSignal, Task> handler);
}
