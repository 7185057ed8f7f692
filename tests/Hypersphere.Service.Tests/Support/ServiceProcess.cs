using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Hypersphere.Service.Tests.Support;

/// <summary>
/// The service as a real process (<c>dotnet Hypersphere.Service.dll</c>), for what the test host cannot show: addresses
/// fixed at start, or a kill -9 in the middle of work.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, int port) => (_process, Port) = (process, port);

    /// <summary>The API port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Starts the service on a free port with the CPU provider, no model watching and <paramref name="settings"/> (<c>--Hypersphere:X=Y</c>).</summary>
    public static ServiceProcess Start(string modelsPath, string workingDirectory, params string[] settings)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(OptionsTests.DotnetHost(), [
            Path.Combine(AppContext.BaseDirectory, "Hypersphere.Service.dll"),
            $"--Hypersphere:ModelsPath={modelsPath}",
            "--Hypersphere:ExecutionProvider=cpu",
            "--Hypersphere:ModelWatch=off",
            $"--urls=http://127.0.0.1:{port}",
            .. settings,
        ])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = workingDirectory,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(process, port);
    }

    /// <summary>A port nobody listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until <c>/healthz/live</c> answers 200 (60 s at most; the process must not exit meanwhile).</summary>
    public async Task WaitUntilLiveAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(_process.HasExited, $"the service exited with {(_process.HasExited ? _process.ExitCode : 0)}");
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/healthz/live"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "the service did not start within 60 s");
            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process at once (SIGKILL: nothing runs on the way out) and waits for it to be gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
