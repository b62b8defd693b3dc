using Events.Silo;
using Events.Silo.Bus;
using Events.Silo.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Events.Silo.Tests;

/// <summary>A live engine over a real SQLite file in a fresh temporary folder, removed on dispose.</summary>
public sealed class TestEngine : IAsyncDisposable
{
    private readonly InProcessBus bus = new(NullLogger<InProcessBus>.Instance);

    private TestEngine(string folder, ILiveStore store, LiveOptions options)
    {
        Folder = folder;
        Store = store;
        Engine = new LiveEngine(store, bus.ForNode("test"), new Catalog(), options, TimeProvider.System);
    }

    public string Folder { get; }

    public ILiveStore Store { get; }

    public LiveEngine Engine { get; }

    public static async Task<TestEngine> StartAsync(string? folder = null, Func<ILiveStore, ILiveStore>? wrap = null, LiveOptions? options = null)
    {
        folder ??= Path.Combine(Path.GetTempPath(), "events-silo-" + Guid.NewGuid().ToString("N"));
        ILiveStore store = new SqliteLiveStore(Path.Combine(folder, "live.db"));
        await store.InitializeAsync();
        return new TestEngine(folder, wrap is null ? store : wrap(store), options ?? new LiveOptions());
    }

    public static Caller Member(string id, LiveRoles extra = LiveRoles.None) => new(id, "Member " + id, LiveRoles.Member | extra);

    public static Caller Organizer { get; } = new("org", "Organizer", LiveRoles.Member | LiveRoles.Organizer);

    public static Caller Moderator { get; } = new("mod", "Moderator", LiveRoles.Member | LiveRoles.Moderator);

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await bus.DisposeAsync();
        if (Store is IAsyncDisposable d)
        {
            await d.DisposeAsync();
        }
    }

    /// <summary>Deletes the folder; call when the test no longer reopens it.</summary>
    public async ValueTask DisposeAndDeleteAsync()
    {
        await DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }

    private sealed class Catalog : ISessionCatalog
    {
        public bool Exists(string sessionId) => sessionId.StartsWith('s');
    }
}
