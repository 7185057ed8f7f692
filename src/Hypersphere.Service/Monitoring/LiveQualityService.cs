using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Monitoring;

/// <summary>
/// Computes the live windows' reports every <see cref="HypersphereOptions.LiveQualityIntervalSeconds"/>, off the
/// request path: on one dedicated background thread of the lowest priority (so at most one core, and the scheduler
/// prefers request threads where the OS honours thread priorities), one window after another, each pairwise pass on
/// one core (<see cref="LiveQualityMonitor.Options"/>). Nothing runs while live quality is off.
/// </summary>
internal sealed class LiveQualityService(LiveQualityMonitor monitor, IOptions<HypersphereOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!monitor.Enabled)
        {
            return Task.CompletedTask;
        }

        var interval = TimeSpan.FromSeconds(options.Value.LiveQualityIntervalSeconds);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                // WaitOne returns true once stopping is signalled: a tick every interval until then.
                while (!stoppingToken.WaitHandle.WaitOne(interval))
                {
                    monitor.ComputeAll(stoppingToken);
                }
            }
            finally
            {
                done.SetResult();
            }
        })
        {
            Name = "live-quality",
            IsBackground = true,
            Priority = ThreadPriority.Lowest,
        };
        thread.Start();
        return done.Task;
    }
}
