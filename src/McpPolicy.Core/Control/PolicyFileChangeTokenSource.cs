using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace McpPolicy.Control;

/// <summary>
/// Tells the options system (and the policy reloader) when a policy file changes: a <see cref="FileSystemWatcher"/> on its folder,
/// with a short quiet period so an editor's several writes become one reload. The watcher starts with the first token asked for.
/// </summary>
internal sealed class PolicyFileChangeTokenSource : IOptionsChangeTokenSource<McpPolicyOptions>, IDisposable
{
    /// <summary>How long the file must stay unchanged before a reload.</summary>
    internal static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(50);

    private readonly string _path;
    private readonly Lock _gate = new();
    private CancellationTokenSource _current = new();
    private FileSystemWatcher? _watcher;
    private ITimer? _timer;
    private bool _disposed;

    public PolicyFileChangeTokenSource(string path)
    {
        _path = System.IO.Path.GetFullPath(path);
    }

    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                StartWatching();
            }

            return new CancellationChangeToken(_current.Token);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _watcher?.Dispose();
            _timer?.Dispose();
        }
    }

    private void StartWatching()
    {
        if (_watcher is not null)
        {
            return;
        }

        var directory = System.IO.Path.GetDirectoryName(_path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return;
        }

        _timer ??= TimeProvider.System.CreateTimer(static s => ((PolicyFileChangeTokenSource)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += OnChanged;
        watcher.Created += OnChanged;
        watcher.Renamed += OnChanged;
        watcher.Deleted += OnChanged;
        try
        {
            watcher.EnableRaisingEvents = true;
            WatchError = null;
            _watcher = watcher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // For example the limit on inotify instances: the policy in force stays, and the reloader reports that the file is not watched.
            WatchError = ex;
            watcher.Dispose();
        }
    }

    /// <summary>Why the file is not being watched, when watching it failed (the next token asked for tries again).</summary>
    internal Exception? WatchError { get; private set; }

    /// <summary>The watched file.</summary>
    internal string Path => _path;

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        lock (_gate)
        {
            _timer?.Change(QuietPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            fired = _current;
            _current = new CancellationTokenSource();
        }

        try
        {
            fired.Cancel();
        }
#pragma warning disable CA1031 // A listener that throws (IOptionsMonitor does for an invalid policy) must not end the process from a timer thread.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
