using Orleans;

namespace Events.Silo.Fair;

/// <summary>
/// The job fair's queues for 1:1 calls, one per booth (keyed by company): its tickets, numbered in
/// the order students joined, and whether its representatives take calls. Each method is one
/// transaction; the grain writes before it answers, so a queue survives its node.
/// </summary>
public interface IBoothQueueStore
{
    /// <summary>The queue: whether it is open, its tickets still waiting or in a call, and its last finished ones (newest first, at most <paramref name="finished"/>).</summary>
    Task<BoothQueueRecord> GetQueueAsync(string company, int finished);

    /// <summary>
    /// Adds a waiting ticket unless the student already holds <paramref name="maxPerMember"/> active
    /// tickets over all booths (counted and added in one transaction, so two joins at once at two
    /// booths cannot both pass). False: refused for that reason, nothing written.
    /// </summary>
    Task<bool> AddTicketAsync(QueueTicket ticket, int maxPerMember);

    /// <summary>Writes a ticket's state and times (the ticket exists).</summary>
    Task UpdateTicketAsync(QueueTicket ticket);

    Task SetQueueOpenAsync(string company, bool open, long atMs);

    /// <summary>Every booth's queue figures so far, by company (booths nobody queued at are left out).</summary>
    Task<IReadOnlyDictionary<string, QueueFigures>> GetQueueFiguresAsync();
}

/// <summary>
/// A booth's calls: <see cref="Calls"/> that took place, students <see cref="Skipped"/> (no answer)
/// or who <see cref="Left"/>; the mean wait from joining to being called, and the mean call from
/// the answer to the hang-up (null before there is one).
/// </summary>
public sealed record QueueFigures(long Calls, long Skipped, long Left, long? MeanWaitMs, long? MeanCallMs);

/// <summary>A ticket's states. Active: <see cref="Waiting"/>, <see cref="Called"/>, <see cref="InCall"/>.</summary>
public static class TicketStates
{
    public const string Waiting = "waiting";
    public const string Called = "called";
    public const string InCall = "in_call";
    /// <summary>The call took place and ended.</summary>
    public const string Done = "done";
    /// <summary>Called and did not answer in time.</summary>
    public const string Skipped = "skipped";
    /// <summary>The student left the queue (or declined the call).</summary>
    public const string Left = "left";
    /// <summary>Closed by a representative before its call (the queue was cleared).</summary>
    public const string Removed = "removed";

    public static bool IsActive(string state) => state is Waiting or Called or InCall;
}

/// <summary>One student's place in one booth's queue. Times are Unix milliseconds of the events' clock.</summary>
[GenerateSerializer, Immutable]
public sealed record QueueTicket(
    string Company,
    long No,
    string UserId,
    string DisplayName,
    string State,
    long JoinedAt,
    long? CalledAt = null,
    string? CalledBy = null,
    string? CalledByName = null,
    long? AnsweredAt = null,
    long? EndedAt = null);

public sealed record BoothQueueRecord(bool Open, IReadOnlyList<QueueTicket> Active, IReadOnlyList<QueueTicket> Finished, long LastNo);
