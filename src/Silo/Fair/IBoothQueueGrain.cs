using Orleans;
using Orleans.Concurrency;

namespace Events.Silo.Fair;

/// <summary>
/// One booth's queue for 1:1 video calls, one activation in the cluster, keyed by company. Students
/// join (at most <see cref="FairOptions.MaxQueuesPerMember"/> queues at once) and wait in the order
/// they joined; a representative calls the next, and only one representative gets each student,
/// because the grain takes one call at a time. A called student answers within
/// <see cref="FairOptions.AnswerWithin"/> or is skipped and told. Both sides then exchange the
/// WebRTC offer, answer and candidates through the grain (<see cref="SignalAsync"/>), which hands
/// each to the other side's node (<see cref="ICallPeer"/>). Every change is written to the store
/// before it is answered; the queue's public view goes to the booth's session, whose updates carry
/// it to every visitor.
/// </summary>
public interface IBoothQueueGrain : IGrainWithStringKey
{
    /// <summary>Joins the queue (a student already in it gets their ticket again). <paramref name="peer"/>: the caller's node, which is told when they are called.</summary>
    Task<Outcome<MyTicketView>> JoinAsync(Caller student, ICallPeer peer);

    /// <summary>Leaves the queue, or declines or ends the call the student is in.</summary>
    Task<Outcome<MyTicketView>> LeaveAsync(Caller student);

    /// <summary>The student's ticket here, or how their last one ended (also registers <paramref name="peer"/> for the ticket).</summary>
    Task<Outcome<MyTicketView>> MineAsync(Caller student, ICallPeer? peer);

    /// <summary>Answers the call: the representative is told and sends the offer.</summary>
    Task<Outcome<MyTicketView>> AnswerAsync(Caller student, long ticket, ICallPeer peer);

    /// <summary>For the company's representatives: every active ticket, with names, and the figures.</summary>
    Task<Outcome<QueueBoard>> BoardAsync(Caller rep);

    /// <summary>Calls the student who has waited longest. A representative has one call at a time.</summary>
    Task<Outcome<QueueBoard>> CallNextAsync(Caller rep, ICallPeer peer);

    /// <summary>Ends a call (either side), or takes back a call not yet answered (the representative).</summary>
    Task<Outcome<bool>> EndCallAsync(Caller caller, long ticket);

    /// <summary>Hands a WebRTC message (kind "offer", "answer" or "ice") to the other side of a call under way.</summary>
    Task<Outcome<bool>> SignalAsync(Caller caller, long ticket, string kind, string data, ICallPeer peer);

    /// <summary>Whether the caller is a side of the call under way on <paramref name="ticket"/> (for a LiveKit room's token); the other side's name.</summary>
    Task<Outcome<string>> CallPeerAsync(Caller caller, long ticket);

    /// <summary>Opens or closes the queue to new students (those waiting stay).</summary>
    Task<Outcome<QueueBoard>> SetOpenAsync(Caller rep, bool open);

    /// <summary>A deleted account: its ticket here (already ended in the store) leaves the line; a representative calling it is told.</summary>
    Task ForgetAsync(string userId);

    /// <summary>The public view now. Runs beside other calls: the booth's session grain asks it when it activates.</summary>
    [AlwaysInterleave]
    Task<QueueView> ViewAsync();
}

/// <summary>
/// A node's hand to the people connected to it: the queue grain tells a person's node, and the
/// node sends it to that person's connections there.
/// </summary>
public interface ICallPeer : IGrainObserver
{
    [OneWay]
    Task NotifyAsync(string userId, CallSignal signal);
}

/// <summary>
/// One message to one side of a call. Kinds: "called" (to the student: answer by
/// <see cref="Deadline"/>), "answered" (to the representative: send the offer), "offer", "answer",
/// "ice" (WebRTC, <see cref="Data"/> as the other side sent it), "ended" (the other side hung up),
/// "skipped" (the student did not answer in time; to both), "left" (the student left before
/// answering; to the representative).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CallSignal(string Company, long Ticket, string Kind, string? Data = null, string? PeerName = null, long? Deadline = null);

/// <summary>
/// What every visitor of the booth sees: whether the queue is open, the numbers still waiting in
/// order (a student finds their place by their number), the numbers called and not yet answered, how many calls are under way, and the
/// figures behind the estimated wait (the mean of recent calls and how many representatives take them).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QueueView(string Company, long Version, bool Open, IReadOnlyList<long> Waiting, IReadOnlyList<long> Called, int InCall, long MeanCallMs, int Staff);

/// <summary>
/// A student's ticket: <see cref="State"/> is one of <see cref="TicketStates"/> (a finished state
/// when the last ticket ended, "none" when there was none). <see cref="Position"/>: 1 for next, 0
/// once called. <see cref="EstimatedWaitMs"/>: until the call, from the figures of the view.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MyTicketView(string Company, long Ticket, string State, int Position, long EstimatedWaitMs, long? Deadline, string? RepName);

[GenerateSerializer, Immutable]
public sealed record BoardTicket(long Ticket, string UserId, string DisplayName, string State, long JoinedAt, long? CalledAt, string? CalledBy, string? CalledByName);

/// <summary>A representative's view: every active ticket in order, and <see cref="MyCall"/>, their own call (called or under way), if any.</summary>
[GenerateSerializer, Immutable]
public sealed record QueueBoard(string Company, bool Open, IReadOnlyList<BoardTicket> Tickets, BoardTicket? MyCall, long MeanCallMs, int Staff, long Version);
