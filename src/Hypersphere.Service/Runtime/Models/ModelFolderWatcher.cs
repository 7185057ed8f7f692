using Hypersphere.Core.Errors;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// Hot reload: watches <see cref="HypersphereOptions.ModelsPath"/> (recursively) and reloads the registry once
/// nothing has changed for <see cref="HypersphereOptions.ReloadDebounceMs"/>, so a version folder being copied
/// is read when the copy is done (if it is read too early and refused, the rest of the copy triggers another
/// reload). Off with <see cref="HypersphereOptions.WatchModels"/> = false (file systems without change
/// notifications); <c>POST /admin/reload</c> does the same on demand.
/// </summary>
internal sealed partial class ModelFolderWatcher(ModelRegistry registry, IOptions<HypersphereOptions> options, ILogger<ModelFolderWatcher> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.WatchModels || !Directory.Exists(registry.Root))
        {
            return Task.CompletedTask;
        }

        _debounce = new Timer(_ => _ = ReloadAsync(), null, Timeout.Infinite, Timeout.Infinite);
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

        _debounce?.Change(Timeout.Infinite, Timeout.Infinite);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watcher on {Root} lost events ({Error}); reloading to catch up")]
    private static partial void LogWatchError(ILogger logger, string root, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading {Root} after a change failed")]
    private static partial void LogReloadFailed(ILogger logger, string root, Exception exception);
}
