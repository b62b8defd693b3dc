using Events.Silo;
using Events.Silo.Fair;

namespace Events.Web.Live;

/// <summary>
/// A job fair booth's queue for 1:1 video calls and the calls' WebRTC messages (docs/live-api.md
/// §3.20). The hub checks the arguments and who represents the booth's company; the queue's rules
/// live in <see cref="IBoothQueueGrain"/>.
/// </summary>
public sealed partial class LiveHub
{
    /// <summary>Joins the booth's queue (or gets one's ticket there again). Members.</summary>
    public Task<HubResult<MyTicketView>> JoinQueue(string company) =>
        QueueCall(company, "queue", (q, me) => q.JoinAsync(me, calls.Reference));

    /// <summary>Leaves the queue, or declines or ends one's call. Members.</summary>
    public Task<HubResult<MyTicketView>> LeaveQueue(string company) =>
        QueueCall(company, "queue", (q, me) => q.LeaveAsync(me));

    /// <summary>One's ticket at the booth (or how the last ended); it also tells the queue to reach this person through this node. Members.</summary>
    public Task<HubResult<MyTicketView>> MyTicket(string company) =>
        QueueCall(company, "queue", (q, me) => q.MineAsync(me, calls.Reference));

    /// <summary>Answers one's call. Members.</summary>
    public Task<HubResult<MyTicketView>> AnswerCall(string company, long ticket) =>
        QueueCall(company, "queue", (q, me) => q.AnswerAsync(me, ticket, calls.Reference));

    /// <summary>The queue with names, for the company's representatives.</summary>
    public Task<HubResult<QueueBoard>> GetQueueBoard(string company) =>
        QueueCall(company, "queue", (q, me) => q.BoardAsync(me), asStaff: true);

    /// <summary>Calls the student who has waited longest. The company's representatives.</summary>
    public Task<HubResult<QueueBoard>> CallNext(string company) =>
        QueueCall(company, "queue", (q, me) => q.CallNextAsync(me, calls.Reference), asStaff: true);

    /// <summary>Opens or closes the queue to new students. The company's representatives.</summary>
    public Task<HubResult<QueueBoard>> SetQueueOpen(string company, bool open) =>
        QueueCall(company, "queue", (q, me) => q.SetOpenAsync(me, open), asStaff: true);

    /// <summary>Ends a call (either side) or takes back an unanswered call (the representative).</summary>
    public Task<HubResult<bool>> EndCall(string company, long ticket) =>
        QueueCall(company, "queue", (q, me) => q.EndCallAsync(me, ticket), asStaff: true);

    /// <summary>Hands a WebRTC offer, answer or candidate to the other side of one's call.</summary>
    public Task<HubResult<bool>> SendSignal(string company, long ticket, string kind, string data) =>
        QueueCall(company, "signal", (q, me) => q.SignalAsync(me, ticket, kind, data, calls.Reference), asStaff: true);

    /// <summary>
    /// A token for the call's LiveKit room (<c>call-{company}-{ticket}</c>), for either side of a call
    /// under way, when the platform has a LiveKit server: the call then runs through it instead of
    /// browser to browser.
    /// </summary>
    public async Task<HubResult<LiveKitJoin>> GetCallToken(string company, long ticket)
    {
        if ((CheckBooth(company) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (!liveKit.Enabled)
        {
            return LiveError.NoLiveKit();
        }
        var peer = await QueueCall(company, "queue", (q, who) => q.CallPeerAsync(who, ticket), asStaff: true);
        if (!peer.Ok)
        {
            return peer.Error!;
        }
        var me = Me;
        var room = $"call-{company}-{ticket}";
        return LiveKitJoinOf(room, LiveKitIdentity(me), Events.Streaming.LiveKit.LiveKitVideoGrant.Speaker(room), me.DisplayName, publish: true);
    }

    /// <summary>
    /// Checks the booth and the sign-in, takes a token of <paramref name="bucket"/>, and calls the
    /// queue as the caller, who counts as the company's representative only when
    /// <paramref name="asStaff"/> and they represent it (a representative of another company is a
    /// student here).
    /// </summary>
    private async Task<HubResult<T>> QueueCall<T>(string company, string bucket, Func<IBoothQueueGrain, Caller, Task<Outcome<T>>> call, bool asStaff = false)
    {
        if ((CheckBooth(company) ?? CheckSignedIn()) is { } invalid)
        {
            return invalid;
        }
        if (Limit(bucket) is { } limited)
        {
            return limited;
        }
        var me = Me;
        me = me with { Roles = me.Roles & ~LiveRoles.CompanyRep };
        if (asStaff && await boothStaff.RepresentsAsync(me.UserId, company))
        {
            me = me with { Roles = me.Roles | LiveRoles.CompanyRep };
        }
        return HubResult<T>.From(await call(grains.Queue(company), me));
    }

    private LiveError? CheckBooth(string company) =>
        string.IsNullOrEmpty(company) || company.Length > 80 || !SlugPattern().IsMatch(company) || !catalog.Exists(Fair.BoothSessions.Of(company))
            ? LiveError.UnknownBooth(company ?? "")
            : null;
}
