using System.Collections.Concurrent;
using Events.Silo.Live;
using Microsoft.AspNetCore.SignalR.Client;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// A viewer as the watch page is one: joins a session, keeps the snapshot, applies updates in
/// sequence and records every chat message it was sent, so tests can compare what each viewer saw.
/// </summary>
public sealed class LiveClient : IAsyncDisposable
{
    private readonly object sync = new();
    private readonly List<ChatView> chat = [];
    private readonly List<long> deleted = [];
    private readonly Dictionary<string, RoundView> rounds = [];
    private long seq;

    private LiveClient(HubConnection connection, string sessionId)
    {
        Connection = connection;
        SessionId = sessionId;
        connection.On<SessionUpdate>("Update", Apply);
        connection.On<Silo.Fair.CallSignal>("Call", c =>
        {
            lock (sync)
            {
                calls.Add(c);
            }
        });
    }

    private readonly List<Silo.Fair.CallSignal> calls = [];
    private Silo.Fair.QueueView? queue;

    /// <summary>The booth queue's view, as last received (snapshot or update).</summary>
    public Silo.Fair.QueueView? Queue { get { lock (sync) { return queue; } } }

    /// <summary>Every queue and call message this connection was sent.</summary>
    public IReadOnlyList<Silo.Fair.CallSignal> Calls { get { lock (sync) { return calls.ToArray(); } } }

    public HubConnection Connection { get; }

    public string SessionId { get; }

    public SessionSnapshot Snapshot { get; private set; } = null!;

    public CountsView Counts { get; private set; } = null!;

    public SettingsView Settings { get; private set; } = null!;

    public StreamView Stream { get; private set; } = null!;

    /// <summary>Every stream state this viewer was shown, in order (from the snapshot on).</summary>
    public IReadOnlyList<string> StreamStates { get { lock (sync) { return streamStates.ToArray(); } } }

    private readonly List<string> streamStates = [];

    public List<long> SeqGaps { get; } = [];

    public IReadOnlyList<ChatView> Chat { get { lock (sync) { return chat.ToArray(); } } }

    public IReadOnlyList<long> Deleted { get { lock (sync) { return deleted.ToArray(); } } }

    public RoundView? Round(string id) { lock (sync) { return rounds.GetValueOrDefault(id); } }

    /// <summary>A contest's results as this viewer was last shown them (null: none shown).</summary>
    public Silo.Contests.RevealView? Results { get { lock (sync) { return results; } } }

    private Silo.Contests.RevealView? results;

    public static Task<LiveClient> JoinAsync(LiveHost host, string sessionId, string? token = null) => JoinAsync(host.HubUrl, sessionId, token);

    public static async Task<LiveClient> JoinAsync(Uri hubUrl, string sessionId, string? token = null, string? cookie = null)
    {
        var client = new LiveClient(await LiveHost.ConnectAsync(hubUrl, token, cookie: cookie), sessionId);
        var joined = await client.Connection.InvokeAsync<Web.Live.HubResult<SessionSnapshot>>("JoinSession", sessionId);
        Assert.True(joined.Ok, joined.Error?.Message);
        lock (client.sync)
        {
            client.Snapshot = joined.Value!;
            client.seq = Math.Max(client.seq, joined.Value!.Seq);
            client.Counts = joined.Value.Counts;
            client.Settings = joined.Value.Settings;
            client.Stream = joined.Value.Stream;
            client.streamStates.Add(joined.Value.Stream.State);
            foreach (var m in joined.Value.Chat)
            {
                if (!client.chat.Any(c => c.Id == m.Id))
                {
                    client.chat.Add(m);
                }
            }
            foreach (var r in joined.Value.Rounds)
            {
                client.rounds[r.RoundId] = r;
            }
            client.results ??= joined.Value.Results;
            if (client.queue is null || (joined.Value.Queue is { } q && q.Version > client.queue.Version))
            {
                client.queue = joined.Value.Queue;
            }
        }
        return client;
    }

    private void Apply(SessionUpdate u)
    {
        lock (sync)
        {
            if (u.SessionId != SessionId || (Snapshot is not null && u.Seq <= seq))
            {
                return;
            }
            if (Snapshot is not null && u.Seq != seq + 1)
            {
                SeqGaps.Add(u.Seq);
            }
            seq = u.Seq;
            if (u.Counts is { } c)
            {
                Counts = c;
            }
            if (u.Settings is { } s)
            {
                Settings = s;
            }
            if (u.Stream is { } v)
            {
                Stream = v;
                if (streamStates[^1] != v.State)
                {
                    streamStates.Add(v.State);
                }
            }
            foreach (var m in u.Chat ?? [])
            {
                chat.Add(m);
            }
            deleted.AddRange(u.Deleted ?? []);
            foreach (var r in u.Rounds ?? [])
            {
                rounds[r.RoundId] = r;
            }
            if (u.Results is { } shown)
            {
                results = shown;
            }
            if (u.Queue is { } view && (queue is null || view.Version > queue.Version))
            {
                queue = view;
            }
        }
    }

    public Task<Web.Live.HubResult<T>> InvokeAsync<T>(string method, params object?[] args) =>
        Connection.InvokeCoreAsync<Web.Live.HubResult<T>>(method, args);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
