using Events.Silo.Streams;
using System.Collections.Concurrent;
using Events.Silo.Live;
using Events.Silo.Store;
using Events.Silo.Voting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Events.Silo.Tests;

/// <summary>
/// The live engine as it runs: an in-process Orleans cluster of two silos (two nodes) over one real
/// SQLite file in a fresh temporary folder, which every silo's grains share through one store
/// instance. Membership is tuned so that a killed silo is declared dead within a few seconds.
/// Starting a new cluster on the same folder is a restart over the same file.
/// </summary>
public sealed class LiveCluster : IAsyncDisposable
{
    private readonly SqliteLiveStore sqlite;
    private readonly InProcessSiloHandle[] nodes;
    private readonly List<RecordingRelay> relays = [];

    private LiveCluster(string folder, SqliteLiveStore sqlite, ILiveStore store, TestCatalog catalog, LiveOptions options, InProcessTestCluster cluster, CallCounter calls)
    {
        Calls = calls;
        Folder = folder;
        this.sqlite = sqlite;
        Store = store;
        Catalog = catalog;
        Options = options;
        Cluster = cluster;
        nodes = cluster.Silos.ToArray();
    }

    public string Folder { get; }

    /// <summary>The store every silo's grains use (the test's wrapper, when it gave one).</summary>
    public ILiveStore Store { get; }

    public TestCatalog Catalog { get; }

    public LiveOptions Options { get; }

    public InProcessTestCluster Cluster { get; }

    /// <summary>Grain calls that reached a grain and ran up to their first wait, per method, on every silo.</summary>
    public CallCounter Calls { get; }

    /// <summary>The silos as deployed; a killed one stays in this list (do not call through it).</summary>
    public IReadOnlyList<InProcessSiloHandle> Nodes => nodes;

    /// <param name="clocks">The events' clock of each silo by its index (a rehearsal clock, as <c>Clock:StartAt</c> gives); the real clock by default.</param>
    public static async Task<LiveCluster> StartAsync(string? folder = null, Func<ILiveStore, ILiveStore>? wrap = null, LiveOptions? options = null, TestCatalog? catalog = null, Func<int, EventClock>? clocks = null, Fair.FairOptions? fair = null)
    {
        folder ??= Path.Combine(Path.GetTempPath(), "events-silo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        options ??= new LiveOptions();
        options.Validate();
        catalog ??= new TestCatalog();
        var sqlite = new SqliteLiveStore(Path.Combine(folder, "live.db"));
        await sqlite.InitializeAsync();
        var store = wrap is null ? sqlite : wrap(sqlite);

        var calls = new CallCounter();
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        var silos = 0;
        builder.ConfigureSiloHost((_, host) =>
        {
            var index = Interlocked.Increment(ref silos) - 1;
            var services = host.Services;
            // Registered as instances, which a silo's container does not dispose: the store is shared
            // by both silos and must outlive a killed one.
            services.AddSingleton<ILiveStore>(store);
            services.AddSingleton<ISessionStore>(store);
            services.AddSingleton<IChatStore>(store);
            services.AddSingleton<ISanctionStore>(store);
            services.AddSingleton<IRoundStore>(store);
            services.AddSingleton<IStreamStore>(store);
            services.AddSingleton<Contests.IJudgingStore>(store);
            services.AddSingleton<Fair.IBoothQueueStore>(store);
            services.AddSingleton(fair ?? new Fair.FairOptions());
            services.AddSingleton<ISessionCatalog>(catalog);
            services.AddSingleton<ILiveKitStage>(new NoLiveKit());
            services.AddSingleton<LiveOptions>(options);
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(clocks?.Invoke(index) ?? new EventClock());
            services.AddMetrics();
            services.AddSingleton<LiveMeters>();
            host.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            // As the real silo (SiloHostingExtensions): a silo that stops answering is declared dead in about 3 s.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
                o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            silo.AddIncomingGrainCallFilter(calls.InvokeAsync);
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            await WaitUntilEachSiloSeesAllAsync(cluster);
        }
        catch
        {
            await cluster.DisposeAsync();
            await sqlite.DisposeAsync();
            throw;
        }
        return new LiveCluster(folder, sqlite, store, catalog, options, cluster, calls);
    }

    /// <summary>
    /// Until both silos list each other as active, each may think it owns a grain's directory
    /// entry and activate the grain itself: two activations of one session for a moment (suspected
    /// cause of two rare failures: a peak rebuilt from the store, a message broadcast twice). A
    /// real node takes traffic only once it has joined; a test waits for the same.
    /// </summary>
    private static async Task WaitUntilEachSiloSeesAllAsync(InProcessTestCluster cluster)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!cluster.Silos.All(s => s.ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                   .Count(m => m.Status == SiloStatus.Active) == cluster.Silos.Count))
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("The test cluster's silos did not all see each other as active within 30 s.");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>The grain factory of one node (silo), as that node's web tier calls grains.</summary>
    public IGrainFactory Node(int index) => nodes[index].ServiceProvider.GetRequiredService<IGrainFactory>();

    public ILiveSessionGrain Session(string id, int node = 0) => Node(node).GetGrain<ILiveSessionGrain>(id);

    public IVoteRoundGrain Round(string id, int node = 0) => Node(node).GetGrain<IVoteRoundGrain>(id);

    public Contests.IContestGrain Contest(string id, int node = 0) => Node(node).GetGrain<Contests.IContestGrain>(id);

    /// <summary>A relay on one node, as that node's web tier has one; subscribe it by reporting.</summary>
    public RecordingRelay Relay(int node = 0, string? nodeId = null)
    {
        var relay = new RecordingRelay(Node(node), nodeId ?? "node-" + node);
        lock (relays)
        {
            relays.Add(relay);
        }
        return relay;
    }

    /// <summary>The silo that hosts the grain's activation now, or null when it is not active anywhere.</summary>
    public SiloAddress? HostOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    /// <summary>The index in <see cref="Nodes"/> of the silo that hosts the grain's activation now.</summary>
    public int NodeOf(IAddressable grain) =>
        HostOf(grain) is { } host ? Array.FindIndex(nodes, n => n.SiloAddress.Equals(host)) : throw new InvalidOperationException("The grain is not active.");

    public ActivationId? ActivationOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.ActivationId : null;

    public static Caller Member(string id, LiveRoles extra = LiveRoles.None) => new(id, "Member " + id, LiveRoles.Member | extra);

    public static Caller Organizer { get; } = new("org", "Organizer", LiveRoles.Member | LiveRoles.Organizer);

    public static Caller Moderator { get; } = new("mod", "Moderator", LiveRoles.Member | LiveRoles.Moderator);

    /// <summary>Stops the cluster (grains deactivate and write what they hold) and closes the store; the folder stays.</summary>
    public async ValueTask DisposeAsync()
    {
        RecordingRelay[] all;
        lock (relays)
        {
            all = relays.ToArray();
        }
        foreach (var relay in all)
        {
            await relay.StopReportingAsync();
        }
        await Cluster.DisposeAsync();
        await sqlite.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>Deletes the folder too; call when the test no longer reopens it.</summary>
    public async ValueTask DisposeAndDeleteAsync()
    {
        await DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>Sessions whose id starts with 's' exist (and booths' sessions, 'booth-...'), scheduled a month from now; a test may give one another schedule.</summary>
public sealed class TestCatalog : ISessionCatalog
{
    private readonly ConcurrentDictionary<string, SessionSchedule> schedules = new(StringComparer.Ordinal);

    public static SessionSchedule FarAhead { get; } = new(DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddDays(30).AddHours(2));

    public void Set(string sessionId, SessionSchedule schedule) => schedules[sessionId] = schedule;

    private readonly ConcurrentDictionary<string, bool> absent = new(StringComparer.Ordinal);

    /// <summary>Makes a session that would exist unknown.</summary>
    public void Remove(string sessionId) => absent[sessionId] = true;

    public SessionSchedule? Schedule(string sessionId) =>
        absent.ContainsKey(sessionId) || !sessionId.StartsWith('s') && !sessionId.StartsWith("booth-", StringComparison.Ordinal) ? null : schedules.TryGetValue(sessionId, out var s) ? s : FarAhead;

    private readonly ConcurrentDictionary<string, Contests.ContestRules> contests = new(StringComparer.Ordinal);

    public void SetContest(Contests.ContestRules rules) => contests[rules.ContestId] = rules;

    public Contests.ContestRules? Contest(string contestId) => contests.GetValueOrDefault(contestId);

    public string? ContestOfFinal(string sessionId) => contests.Values.FirstOrDefault(c => c.FinalSession == sessionId)?.ContestId;
}

/// <summary>Counts grain calls by method once the grain has run them up to their first wait (a vote is queued for its batch by then).</summary>
public sealed class CallCounter
{
    private readonly ConcurrentDictionary<string, int> started = new(StringComparer.Ordinal);

    public int Started(string method) => started.GetValueOrDefault(method);

    internal async Task InvokeAsync(IIncomingGrainCallContext context)
    {
        var call = context.Invoke();
        started.AddOrUpdate(context.MethodName, 1, (_, n) => n + 1);
        await call;
    }
}
