using Events.Silo;

namespace Events.Web.Content;

/// <summary>
/// Holds the current <see cref="ContentCatalog"/>. The constructor loads the folder and throws
/// <see cref="ContentException"/> if it is malformed, so the host does not start with broken content.
/// With <c>watch</c> on (development), edits to the folder are picked up about 300 ms after the last
/// change; a reload that fails is logged and the previous catalog stays current, so a half-saved file
/// never takes the site down. <see cref="Current"/> always returns a complete catalog, never a partial one.
/// </summary>
public sealed class ContentStore : ISessionCatalog, IDisposable
{
    // Editors save in bursts (temp file, rename, attribute change); wait for the burst to end.
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly string _directory;
    private readonly ILogger<ContentStore> _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _timer;
    private readonly Lock _reloadGate = new();
    private volatile ContentCatalog _current;
    private volatile bool _disposed;

    public ContentStore(string directory, bool watch, ILogger<ContentStore> logger)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(logger);
        _directory = Path.GetFullPath(directory);
        _logger = logger;
        _current = ContentCatalog.Load(_directory);
        _logger.LogInformation("Loaded content from {Directory}: {Events} events, {Sessions} sessions", _directory, _current.Events.Count, _current.Sessions.Count);
        if (!watch)
        {
            return;
        }

        _timer = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(_directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Deleted += OnChanged;
        _watcher.Renamed += OnChanged;
        // An overflowed event buffer means changes were missed; reloading everything covers them.
        _watcher.Error += (_, e) =>
        {
            _logger.LogWarning(e.GetException(), "Watching content in {Directory} reported an error; reloading", _directory);
            Schedule();
        };
        _watcher.EnableRaisingEvents = true;
    }

    public ContentCatalog Current => _current;

    public SessionSchedule? Schedule(string sessionId) => Current.Schedule(sessionId);

    public bool Exists(string sessionId) => Schedule(sessionId) is not null;

    public Silo.Contests.ContestRules? Contest(string contestId) => Current.Contest(contestId);

    public string? ContestOfFinal(string sessionId) => Current.ContestOfFinal(sessionId);

    public void Dispose()
    {
        _disposed = true;
        _watcher?.Dispose();
        _timer?.Dispose();
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => Schedule();

    private void Schedule()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            // Each change pushes the reload back, so a burst of saves costs one reload.
            _timer?.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check and the call; nothing left to reload for.
        }
    }

    private void Reload()
    {
        // Timer callbacks can overlap when a load outlasts the debounce; two loads racing to
        // publish could leave the older one current.
        lock (_reloadGate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                _current = ContentCatalog.Load(_directory);
                _logger.LogInformation("Reloaded content from {Directory}: {Events} events, {Sessions} sessions", _directory, _current.Events.Count, _current.Sessions.Count);
            }
            catch (ContentException e)
            {
                _logger.LogError(e, "Content in {Directory} is malformed; keeping the previous content until it is fixed:{NewLine}{Problems}", _directory, Environment.NewLine, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The folder itself vanished or is being replaced (git checkout); the next change reloads.
                _logger.LogError(e, "Reloading content from {Directory} failed; keeping the previous content", _directory);
            }
        }
    }
}
