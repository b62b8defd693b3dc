using Events.Silo.Live;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Events.Silo.Fair;

/// <summary>See <see cref="IBoothQueueGrain"/>. Not reentrant: one call at a time, so two representatives calling at once get two students.</summary>
public sealed class BoothQueueGrain(IBoothQueueStore store, ISessionCatalog catalog, FairOptions options, EventClock clock, ILogger<BoothQueueGrain> logger)
    : Grain, IBoothQueueGrain
{
    public const string BoothPrefix = "booth-";

    /// <summary>Finished tickets kept for the mean call and for telling a student how their last ticket ended.</summary>
    private const int KeptFinished = 50;

    /// <summary>Calls the mean is taken over.</summary>
    private const int MeanOver = 20;

    /// <summary>A representative who called within this long counts as taking calls.</summary>
    private static readonly TimeSpan StaffWindow = TimeSpan.FromMinutes(30);

    private const int MaxSignal = 16_384;

    private readonly SortedDictionary<long, QueueTicket> active = [];
    private readonly LinkedList<QueueTicket> finished = new();
    private readonly Dictionary<string, ICallPeer> peers = new(StringComparer.Ordinal);
    private string company = "";
    private string sessionId = "";
    private bool exists;
    private bool open = true;
    private long lastNo;
    private long version;
    private IDisposable? timer;

    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        company = this.GetPrimaryKeyString();
        sessionId = BoothPrefix + company;
        exists = catalog.Schedule(sessionId) is not null;
        // Numbered from the real clock: a new activation (after a node died) numbers above the last.
        version = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        if (!exists)
        {
            return;
        }
        var record = await store.GetQueueAsync(company, KeptFinished);
        open = record.Open;
        lastNo = record.LastNo;
        foreach (var t in record.Active)
        {
            active[t.No] = t;
        }
        foreach (var t in record.Finished)
        {
            finished.AddLast(t);
        }
        EnsureTimer();
    }

    /// <summary>While anyone is in the queue the grain stays and checks the answer deadlines each second.</summary>
    private void EnsureTimer()
    {
        if (active.Count > 0 && timer is null)
        {
            timer = this.RegisterGrainTimer(_ => SkipOverdueAsync(), new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { Interleave = false, KeepAlive = true });
        }
        else if (active.Count == 0 && timer is not null)
        {
            timer.Dispose();
            timer = null;
        }
    }

    private async Task SkipOverdueAsync()
    {
        var now = NowMs;
        var due = (long)options.AnswerWithin.TotalMilliseconds;
        foreach (var t in active.Values.Where(t => t.State == TicketStates.Called && t.CalledAt + due <= now).ToArray())
        {
            try
            {
                await FinishAsync(t, TicketStates.Skipped, now);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Skipping ticket {Ticket} of booth {Company} failed; retried in a second", t.No, company);
                return;
            }
            Notify(t.UserId, new CallSignal(company, t.No, "skipped"));
            if (t.CalledBy is { } rep)
            {
                Notify(rep, new CallSignal(company, t.No, "skipped", PeerName: t.DisplayName));
            }
        }
    }

    // ---- the rules ------------------------------------------------------------------------

    private LiveError? CheckBooth(Caller caller) =>
        !exists ? LiveError.UnknownBooth(company)
        : caller.UserId is null ? LiveError.Unauthenticated()
        : null;

    private LiveError? CheckRep(Caller caller) =>
        CheckBooth(caller) ?? ((caller.Roles & LiveRoles.CompanyRep) == 0 ? LiveError.Forbidden("company representative") : null);

    private QueueTicket? TicketOf(string userId) => active.Values.FirstOrDefault(t => t.UserId == userId);

    private long MeanCallMs()
    {
        var calls = finished.Where(t => t.State == TicketStates.Done && t.CalledAt is not null && t.EndedAt is not null).Take(MeanOver).ToArray();
        return calls.Length == 0 ? (long)options.AssumedCall.TotalMilliseconds : (long)calls.Average(t => t.EndedAt!.Value - t.CalledAt!.Value);
    }

    private int Staff()
    {
        var since = NowMs - (long)StaffWindow.TotalMilliseconds;
        return Math.Max(1, active.Values.Concat(finished).Where(t => t.CalledBy is not null && t.CalledAt >= since).Select(t => t.CalledBy).Distinct().Count());
    }

    /// <summary>1 for the next to be called; 0 when not waiting.</summary>
    private int PositionOf(QueueTicket t) =>
        t.State != TicketStates.Waiting ? 0 : 1 + active.Values.Count(o => o.State == TicketStates.Waiting && o.No < t.No);

    private MyTicketView Mine(QueueTicket t)
    {
        var position = PositionOf(t);
        return new MyTicketView(company, t.No, t.State, position, position * MeanCallMs() / Staff(),
            t.State == TicketStates.Called ? t.CalledAt + (long)options.AnswerWithin.TotalMilliseconds : null, t.CalledByName);
    }

    private MyTicketView NoneFor(string userId) =>
        finished.FirstOrDefault(t => t.UserId == userId) is { } last
            ? new MyTicketView(company, last.No, last.State, 0, 0, null, last.CalledByName)
            : new MyTicketView(company, 0, "none", 0, 0, null, null);

    private static BoardTicket OnBoard(QueueTicket t) => new(t.No, t.UserId, t.DisplayName, t.State, t.JoinedAt, t.CalledAt, t.CalledBy, t.CalledByName);

    private QueueBoard Board(Caller rep)
    {
        var mine = active.Values.FirstOrDefault(t => t.CalledBy == rep.UserId && t.State is TicketStates.Called or TicketStates.InCall);
        return new QueueBoard(company, open, active.Values.Select(OnBoard).ToArray(), mine is null ? null : OnBoard(mine), MeanCallMs(), Staff(), version);
    }

    private QueueView View() => new(company, version, open,
        active.Values.Where(t => t.State == TicketStates.Waiting).Select(t => t.No).ToArray(),
        active.Values.Where(t => t.State == TicketStates.Called).Select(t => t.No).ToArray(),
        active.Values.Count(t => t.State == TicketStates.InCall), MeanCallMs(), Staff());

    /// <summary>After each change: the booth's visitors see the new view with the session's next update.</summary>
    private void Changed()
    {
        version++;
        EnsureTimer();
        var view = View();
        _ = GrainFactory.GetGrain<ILiveSessionGrain>(sessionId).ShowQueueAsync(view).ContinueWith(
            t => logger.LogDebug(t.Exception, "Showing the queue of booth {Company} failed", company), TaskContinuationOptions.OnlyOnFaulted);
    }

    private void Notify(string userId, CallSignal signal)
    {
        if (peers.TryGetValue(userId, out var peer))
        {
            try
            {
                _ = peer.NotifyAsync(userId, signal);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Telling {User} of booth {Company} failed", userId, company);
            }
        }
    }

    private async Task FinishAsync(QueueTicket t, string state, long now)
    {
        var ended = t with { State = state, EndedAt = now };
        await store.UpdateTicketAsync(ended);
        active.Remove(t.No);
        finished.AddFirst(ended);
        while (finished.Count > KeptFinished)
        {
            finished.RemoveLast();
        }
        Changed();
    }

    // ---- students -------------------------------------------------------------------------

    public async Task<Outcome<MyTicketView>> JoinAsync(Caller student, ICallPeer peer)
    {
        if (CheckBooth(student) is { } invalid)
        {
            return invalid;
        }
        if (TicketOf(student.UserId!) is { } held)
        {
            peers[student.UserId!] = peer;
            return Mine(held);
        }
        if (catalog.Schedule(sessionId) is { } schedule && clock.GetUtcNow() >= schedule.Ends)
        {
            return LiveError.SessionEnded(sessionId);
        }
        if (!open)
        {
            return LiveError.QueueClosed();
        }
        var ticket = new QueueTicket(company, lastNo + 1, student.UserId!, student.DisplayName, TicketStates.Waiting, NowMs);
        if (!await store.AddTicketAsync(ticket, options.MaxQueuesPerMember))
        {
            return LiveError.TooManyQueues(options.MaxQueuesPerMember);
        }
        lastNo = ticket.No;
        active[ticket.No] = ticket;
        peers[student.UserId!] = peer;
        Changed();
        return Mine(ticket);
    }

    public async Task<Outcome<MyTicketView>> LeaveAsync(Caller student)
    {
        if (CheckBooth(student) is { } invalid)
        {
            return invalid;
        }
        if (TicketOf(student.UserId!) is not { } t)
        {
            return LiveError.NotInQueue();
        }
        await FinishAsync(t, t.State == TicketStates.InCall ? TicketStates.Done : TicketStates.Left, NowMs);
        if (t.CalledBy is { } rep)
        {
            Notify(rep, new CallSignal(company, t.No, t.State == TicketStates.InCall ? "ended" : "left", PeerName: t.DisplayName));
        }
        return NoneFor(student.UserId!);
    }

    public Task<Outcome<MyTicketView>> MineAsync(Caller student, ICallPeer? peer)
    {
        if (CheckBooth(student) is { } invalid)
        {
            return Task.FromResult<Outcome<MyTicketView>>(invalid);
        }
        if (TicketOf(student.UserId!) is not { } t)
        {
            return Task.FromResult<Outcome<MyTicketView>>(NoneFor(student.UserId!));
        }
        if (peer is not null)
        {
            peers[student.UserId!] = peer;
        }
        return Task.FromResult<Outcome<MyTicketView>>(Mine(t));
    }

    public async Task<Outcome<MyTicketView>> AnswerAsync(Caller student, long ticket, ICallPeer peer)
    {
        if (CheckBooth(student) is { } invalid)
        {
            return invalid;
        }
        if (TicketOf(student.UserId!) is not { } t || t.No != ticket)
        {
            return LiveError.NotInQueue();
        }
        peers[student.UserId!] = peer;
        if (t.State == TicketStates.Waiting)
        {
            return LiveError.NotCalled();
        }
        if (t.State == TicketStates.Called)
        {
            var answered = t with { State = TicketStates.InCall, AnsweredAt = NowMs };
            await store.UpdateTicketAsync(answered);
            active[t.No] = t = answered;
            Changed();
        }
        // Told again on a retry: the representative's offer follows the answer.
        Notify(t.CalledBy!, new CallSignal(company, t.No, "answered", PeerName: t.DisplayName));
        return Mine(t);
    }

    // ---- representatives ------------------------------------------------------------------

    public Task<Outcome<QueueBoard>> BoardAsync(Caller rep) =>
        Task.FromResult<Outcome<QueueBoard>>(CheckRep(rep) is { } invalid ? invalid : Board(rep));

    public async Task<Outcome<QueueBoard>> CallNextAsync(Caller rep, ICallPeer peer)
    {
        if (CheckRep(rep) is { } invalid)
        {
            return invalid;
        }
        peers[rep.UserId!] = peer;
        if (active.Values.Any(t => t.CalledBy == rep.UserId && t.State is TicketStates.Called or TicketStates.InCall))
        {
            return LiveError.AlreadyInCall();
        }
        if (active.Values.FirstOrDefault(t => t.State == TicketStates.Waiting) is not { } next)
        {
            return LiveError.QueueEmpty();
        }
        var called = next with { State = TicketStates.Called, CalledAt = NowMs, CalledBy = rep.UserId, CalledByName = rep.DisplayName };
        await store.UpdateTicketAsync(called);
        active[next.No] = called;
        Changed();
        Notify(called.UserId, new CallSignal(company, called.No, "called", PeerName: rep.DisplayName, Deadline: called.CalledAt + (long)options.AnswerWithin.TotalMilliseconds));
        return Board(rep);
    }

    public async Task<Outcome<bool>> EndCallAsync(Caller caller, long ticket)
    {
        if (CheckBooth(caller) is { } invalid)
        {
            return invalid;
        }
        if (!active.TryGetValue(ticket, out var t) || (t.UserId != caller.UserId && t.CalledBy != caller.UserId) || t.State == TicketStates.Waiting)
        {
            return LiveError.NotYourCall(ticket);
        }
        var byStudent = t.UserId == caller.UserId;
        if (t.State == TicketStates.Called && !byStudent)
        {
            // Taken back before the student answered: they keep their place, at the front.
            var back = t with { State = TicketStates.Waiting, CalledAt = null, CalledBy = null, CalledByName = null };
            await store.UpdateTicketAsync(back);
            active[t.No] = back;
            Changed();
        }
        else
        {
            await FinishAsync(t, t.State == TicketStates.InCall ? TicketStates.Done : TicketStates.Left, NowMs);
        }
        Notify(byStudent ? t.CalledBy! : t.UserId, new CallSignal(company, t.No, "ended", PeerName: byStudent ? t.DisplayName : t.CalledByName));
        return true;
    }

    public Task<Outcome<bool>> SignalAsync(Caller caller, long ticket, string kind, string data, ICallPeer peer)
    {
        Outcome<bool> Answer()
        {
            if (CheckBooth(caller) is { } invalid)
            {
                return invalid;
            }
            if (kind is not ("offer" or "answer" or "ice"))
            {
                return LiveError.InvalidArgument(nameof(kind), "must be offer, answer or ice");
            }
            if (data is null || data.Length > MaxSignal)
            {
                return LiveError.InvalidArgument(nameof(data), $"must be at most {MaxSignal} characters");
            }
            if (!active.TryGetValue(ticket, out var t) || t.State != TicketStates.InCall || (t.UserId != caller.UserId && t.CalledBy != caller.UserId))
            {
                return LiveError.NotYourCall(ticket);
            }
            peers[caller.UserId!] = peer;
            var other = t.UserId == caller.UserId ? t.CalledBy! : t.UserId;
            if (!peers.ContainsKey(other))
            {
                // The grain moved and the other side has not been heard from since; it is, within seconds.
                return LiveError.TryAgain();
            }
            Notify(other, new CallSignal(company, t.No, kind, data));
            return true;
        }
        return Task.FromResult(Answer());
    }

    public Task<Outcome<string>> CallPeerAsync(Caller caller, long ticket)
    {
        Outcome<string> Answer() =>
            CheckBooth(caller) is { } invalid ? invalid
            : !active.TryGetValue(ticket, out var t) || t.State != TicketStates.InCall || (t.UserId != caller.UserId && t.CalledBy != caller.UserId) ? LiveError.NotYourCall(ticket)
            : t.UserId == caller.UserId ? t.CalledByName ?? "" : t.DisplayName;
        return Task.FromResult(Answer());
    }

    public async Task<Outcome<QueueBoard>> SetOpenAsync(Caller rep, bool open)
    {
        if (CheckRep(rep) is { } invalid)
        {
            return invalid;
        }
        if (this.open != open)
        {
            await store.SetQueueOpenAsync(company, open, NowMs);
            this.open = open;
            Changed();
        }
        return Board(rep);
    }

    public Task ForgetAsync(string userId)
    {
        if (TicketOf(userId) is { } t)
        {
            active.Remove(t.No);
            Changed();
            if (t.CalledBy is { } rep)
            {
                Notify(rep, new CallSignal(company, t.No, t.State == TicketStates.InCall ? "ended" : "left"));
            }
        }
        peers.Remove(userId);
        return Task.CompletedTask;
    }

    public Task<QueueView> ViewAsync() => Task.FromResult(View());
}
