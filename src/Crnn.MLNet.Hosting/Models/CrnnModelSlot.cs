using Microsoft.Extensions.Logging;

namespace Crnn.MLNet.Hosting.Models;

/// <summary>
/// One served model file: the loaded model, swapped for a new one when the file changes. Requests take a
/// <see cref="Lease"/>, so a replaced model is disposed only after the last request using it has finished.
/// Thread-safe.
/// </summary>
/// <typeparam name="T">What is loaded from the file (a recogniser, or a line model and its readers).</typeparam>
public abstract class CrnnModelSlot<T> : IDisposable where T : class, IDisposable
{
    private readonly Func<string, T> _open;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _debounce;
    private readonly Lock _reloadGate = new();
    private Loaded _current;
    private bool _disposed;

    private protected CrnnModelSlot(string kind, CrnnModelFileOptions options, Func<string, T> open, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ModelPath))
            throw new ArgumentException($"{kind}: {nameof(CrnnModelFileOptions.ModelPath)} is not set.", nameof(options));
        Kind = kind;
        ModelPath = Path.GetFullPath(options.ModelPath);
        _open = open;
        _logger = logger;
        // Loaded at start: a bad model file stops the app with its own message instead of failing every request.
        _current = new Loaded(Open(), DateTimeOffset.UtcNow);
        if (options.ReloadOnChange)
        {
            _debounce = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(ModelPath)!, Path.GetFileName(ModelPath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler changed = (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
            _watcher.Changed += changed;
            _watcher.Created += changed;
            _watcher.Renamed += (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary><c>classifier</c> or <c>line</c>.</summary>
    public string Kind { get; }

    /// <summary>Full path of the model file.</summary>
    public string ModelPath { get; }

    /// <summary>When the model now served was loaded.</summary>
    public DateTimeOffset LoadedAt => Volatile.Read(ref _current).LoadedAt;

    /// <summary>Why the last reload failed (the previous model is still served), or null.</summary>
    public string? ReloadError { get; private set; }

    /// <summary>How many times the file was loaded again after a change.</summary>
    public int Reloads { get; private set; }

    /// <summary>The model now served, held until the lease is disposed.</summary>
    // The API analyzer takes the nested struct of a generic class for a nullable-oblivious type; it is not.
#pragma warning disable RS0041
    public Lease Acquire()
#pragma warning restore RS0041
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var loaded = Volatile.Read(ref _current);
            if (loaded.TryAddReference()) return new Lease(loaded);
        }
    }

    /// <summary>Loads the file again now (also what a change of the file triggers). Returns whether the new model is served.</summary>
    public bool Reload()
    {
        lock (_reloadGate)
        {
            if (_disposed) return false;
            T next;
            try
            {
                next = Open();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
            {
                ReloadError = e.Message;
                _logger.LogWarning("{Kind} model {Path} changed but cannot be loaded; still serving the previous one: {Error}", Kind, ModelPath, e.Message);
                return false;
            }
            var old = Interlocked.Exchange(ref _current, new Loaded(next, DateTimeOffset.UtcNow));
            old.Release();
            ReloadError = null;
            Reloads++;
            _logger.LogInformation("{Kind} model {Path} reloaded", Kind, ModelPath);
            return true;
        }
    }

    private T Open()
    {
        if (!File.Exists(ModelPath)) throw new FileNotFoundException($"{Kind} model {ModelPath} was not found.", ModelPath);
        return _open(ModelPath);
    }

    public void Dispose()
    {
        lock (_reloadGate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _watcher?.Dispose();
        _debounce?.Dispose();
        _current.Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>A loaded model and the number of holders (the slot itself is one until the model is replaced).</summary>
    private sealed class Loaded(T value, DateTimeOffset loadedAt)
    {
        private int _references = 1;

        public T Value { get; } = value;
        public DateTimeOffset LoadedAt { get; } = loadedAt;

        public bool TryAddReference()
        {
            int n;
            do
            {
                n = Volatile.Read(ref _references);
                if (n == 0) return false;   // already released: the caller reads the slot again
            }
            while (Interlocked.CompareExchange(ref _references, n + 1, n) != n);
            return true;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0) Value.Dispose();
        }
    }

    /// <summary>The model a request uses; dispose it when the request is done.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly Loaded _loaded;

        internal Lease(object loaded) => _loaded = (Loaded)loaded;

        public T Value => _loaded.Value;

        public DateTimeOffset LoadedAt => _loaded.LoadedAt;

        public void Dispose() => _loaded?.Release();
    }
}
