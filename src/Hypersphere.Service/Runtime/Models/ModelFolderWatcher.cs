using Hypersphere.Core.Errors;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// Hot reload: notices changes under <see cref="HypersphereOptions.ModelsPath"/> (recursively) and reloads the
/// registry once nothing has changed for <see cref="HypersphereOptions.ReloadDebounceMs"/>, so a version folder
/// being copied is read when the copy is done (if it is read too early and refused, the rest of the copy triggers
/// another reload). <see cref="HypersphereOptions.ModelWatch"/> says how: <c>inotify</c> (a
/// <see cref="FileSystemWatcher"/>), <c>poll</c> (the tree's <see cref="FolderStamp"/> every
/// <see cref="HypersphereOptions.ModelPollSeconds"/>; a changed one counts as a change, for file systems whose
/// writes from other nodes raise no event here) or <c>off</c>; <c>POST /admin/reload</c> does the same on demand.
/// </summary>
internal sealed partial class ModelFolderWatcher(ModelRegistry registry, IOptions<HypersphereOptions> options, ILogger<ModelFolderWatcher> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;
    private Timer? _poll;
    private readonly Lock _scanning = new();
    private FolderStamp _stamp;

    /// <summary>Whether file-system events are watched (<c>inotify</c>), for the tests that prove a poll did the reload.</summary>
    internal bool WatchesEvents => _watcher is not null;

    /// <summary>Whether the folder is polled (<c>poll</c>).</summary>
    internal bool Polls => _poll is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var mode = settings.ModelWatch.ToLowerInvariant();
        if (mode == "off" || !Directory.Exists(registry.Root))
        {
            return Task.CompletedTask;
        }

        _debounce = new Timer(_ => _ = ReloadAsync(), null, Timeout.Infinite, Timeout.Infinite);
        if (mode == "poll")
        {
            _stamp = FolderStamp.Read(registry.Root, recursive: true);
            var period = TimeSpan.FromSeconds(settings.ModelPollSeconds);
            _poll = new Timer(_ => Poll(), null, period, period);
            LogPolling(logger, registry.Root, settings.ModelPollSeconds, settings.ReloadDebounceMs);
            return Task.CompletedTask;
        }

        _watcher = new FileSystemWatcher(registry.Root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Deleted += OnChanged;
        _watcher.Renamed += OnChanged;
        _watcher.Error += OnError;
        _watcher.EnableRaisingEvents = true;
        LogWatching(logger, registry.Root, settings.ReloadDebounceMs);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_watcher is not null)
        {
            _watcher.EnableRaisingEvents = false;
        }

        _poll?.Change(Timeout.Infinite, Timeout.Infinite);
        _debounce?.Change(Timeout.Infinite, Timeout.Infinite);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _poll?.Dispose();
        _debounce?.Dispose();
        // _stopping is left undisposed: the host may call StopAsync after the container disposed this
        // (as it may for the registry), and it holds no timer or wait handle.
    }

    // Each change restarts the quiet period.
    private void OnChanged(object sender, FileSystemEventArgs e) => Debounce();

    private void OnError(object sender, ErrorEventArgs e)
    {
        // Events were lost (buffer overflow, watch limit): reload anyway, it rescans everything.
        LogWatchError(logger, registry.Root, e.GetException().Message);
        Debounce();
    }

    // A changed stamp counts as an event: it restarts the quiet period. Timer callbacks overlap if a scan outlasts the
    // period; the lock skips such a scan. An unreadable tree has a stamp of its own, so the reload reports it.
    private void Poll()
    {
        if (_stopping.IsCancellationRequested || !_scanning.TryEnter())
        {
            return;
        }

        try
        {
            var now = FolderStamp.Read(registry.Root, recursive: true);
            if (now != _stamp)
            {
                _stamp = now;
                Debounce();
            }
        }
        finally
        {
            _scanning.Exit();
        }
    }

    private void Debounce()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _debounce?.Change(options.Value.ReloadDebounceMs, Timeout.Infinite);
        }
    }

    private async Task ReloadAsync()
    {
        try
        {
            await registry.ReloadAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (HypersphereException e) when (e.Kind == ErrorKind.NotReady)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            LogReloadFailed(logger, registry.Root, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Root} for model changes (reload after {DebounceMs} ms of quiet)")]
    private static partial void LogWatching(ILogger logger, string root, int debounceMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {Root} for model changes every {PollSeconds} s (reload after {DebounceMs} ms of quiet)")]
    private static partial void LogPolling(ILogger logger, string root, int pollSeconds, int debounceMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watcher on {Root} lost events ({Error}); reloading to catch up")]
    private static partial void LogWatchError(ILogger logger, string root, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading {Root} after a change failed")]
    private static partial void LogReloadFailed(ILogger logger, string root, Exception exception);
}
