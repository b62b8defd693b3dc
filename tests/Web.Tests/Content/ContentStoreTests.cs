using Events.Web.Content;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Events.Web.Tests.Content;

public sealed class ContentStoreTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly TempContent _content = new TempContent().WriteValidTree();
    private readonly RecordingLogger _logger = new();

    public void Dispose() => _content.Dispose();

    [Fact]
    public void A_malformed_folder_stops_the_start()
    {
        _content.Write("events/contest.md", "no front matter");

        Assert.Throws<ContentException>(() => new ContentStore(_content.Root, watch: false, _logger));
    }

    [Fact]
    public void Without_watching_the_catalog_never_changes()
    {
        using var store = new ContentStore(_content.Root, watch: false, _logger);
        var first = store.Current;

        Assert.True(store.Exists("final"));
        Assert.False(store.Exists("nope"));
        Assert.Same(first, store.Current);
    }

    [Fact]
    public async Task A_watching_store_reloads_after_a_change_and_keeps_the_last_good_catalog_on_a_bad_one()
    {
        using var store = new ContentStore(_content.Root, watch: true, _logger);
        Assert.False(store.Exists("extra"));

        _content.Write("sessions/extra.md", """
            ---
            event: contest
            title: "Extra"
            starts: 2026-12-12T10:00:00+08:00
            ends: 2026-12-12T11:00:00+08:00
            summary: "S"
            speakers: []
            ---
            """);
        await Eventually(() => store.Exists("extra"));
        var good = store.Current;

        _content.Write("sessions/extra.md", "---\ntitel: broken\n---\n");
        await Eventually(() => _logger.Errors.Any(e => e.Contains("unknown key 'titel'", StringComparison.Ordinal)));

        Assert.Same(good, store.Current);
        Assert.True(store.Exists("extra"));

        _content.Delete("sessions/extra.md");
        await Eventually(() => !store.Exists("extra"));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The store did not pick up the change in time.");
            await Task.Delay(50);
        }
    }

    private sealed class RecordingLogger : ILogger<ContentStore>
    {
        private readonly List<string> _errors = [];

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToList();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                lock (_errors)
                {
                    _errors.Add(formatter(state, exception) + Environment.NewLine + exception?.Message);
                }
            }
        }
    }
}
