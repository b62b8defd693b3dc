namespace Events.Silo.Bus;

/// <summary>
/// A small, coalesced signal between nodes: "something about this session changed, look in the store".
/// It never carries the data itself, so it stays far under PostgreSQL's 8,000-byte NOTIFY limit.
/// </summary>
/// <param name="NodeId">The node that published it; a node ignores its own signals.</param>
/// <param name="SessionId">The session concerned.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Value">A number that goes with the kind: the newest chat id, a viewer count.</param>
/// <param name="RoundId">The round, for <see cref="BusSignalKind.TallyChanged"/> and round changes.</param>
/// <param name="SentAtMs">When the bus sent it (Unix ms), stamped by the bus; for the lag meter.</param>
public sealed record BusSignal(string NodeId, string SessionId, BusSignalKind Kind, long Value, string? RoundId = null, long SentAtMs = 0);
