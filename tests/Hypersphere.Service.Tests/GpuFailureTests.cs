using Hypersphere.Inference;
using Hypersphere.Inference.Tests.Support;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Runtime.Models;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Service.Tests;

/// <summary>
/// How the service answers when the device fails, with the failures injected (no GPU here): a batch runner that throws
/// ONNX Runtime's exceptions with the CUDA execution provider's messages, a loader whose "CUDA" warm-up throws, a load
/// that fails before it succeeds.
/// </summary>
public sealed class GpuFailureTests(ToyModels toys) : IClassFixture<ToyModels>, IDisposable
{
    // As the CUDA EP words them (cuda_call.cc): the error, then the GPU, host and source location.
    private const string CudnnFailure = "CUDNN failure 8: CUDNN_STATUS_EXECUTION_FAILED ; GPU=0 ; hostname=gpu-node-7 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/nn/conv.cc ; line=455 ; expr=cudnnConvolutionForward";
    private const string IllegalAddress = "CUDA failure 700: an illegal memory access was encountered ; GPU=0 ; hostname=gpu-node-7 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=300 ; expr=cudaStreamSynchronize";
    private static readonly float[] Item = Enumerable.Repeat(0.5f, 64).ToArray();
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ADeviceErrorIs503LoggedCountedAndMakesTheServiceUnreadyAfterTheThresholdUntilARunSucceeds()
    {
        var runner = new FailingRunner { Failure = OrtErrors.Make("RuntimeException", CudnnFailure) };
        var log = new CapturingLogger();
        await using var factory = Start(new() { ["Hypersphere:RunFailureThreshold"] = "3" }, runner, log);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        for (var i = 1; i <= 3; i++)
        {
            await Http.OkJson(await client.GetAsync("/healthz/ready")); // 0, 1, 2 failures in a row: still ready
            var response = await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item }));
            var problem = await Http.Problem(response, 503, "toy@1 could not run a batch of 1", "RuntimeException", "not the request's");
            Assert.Equal("inference_failed", (string?)problem["error"]!["code"]);
            Assert.Equal("5", response.Headers.RetryAfter?.ToString());
            var text = problem.ToJsonString();
            Assert.DoesNotContain("onnxruntime_src", text, StringComparison.Ordinal);
            Assert.DoesNotContain("gpu-node-7", text, StringComparison.Ordinal);
        }

        var unready = await Http.Problem(await client.GetAsync("/healthz/ready"), 503, "runs keep failing on the device", "toy@1: 3 in a row");
        Assert.Equal(3, (int)unready["failing"]![0]!["consecutive_failures"]!);
        await Http.OkJson(await client.GetAsync("/healthz/live")); // not lost for good: only unready
        var metrics = await client.GetStringAsync("/metrics");
        PrometheusText.AssertValue(metrics, "hypersphere_inference_failures_total{model=\"toy@1\",kind=\"runtime\"}", 3);
        var errors = log.Entries.Where(e => e.StartsWith("Error:", StringComparison.Ordinal) && e.Contains("failed on the device (runtime)", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("CUDNN_STATUS_EXECUTION_FAILED", StringComparison.Ordinal)); // the log keeps ONNX Runtime's own text

        runner.Failure = null;
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item })));
        await Http.OkJson(await client.GetAsync("/healthz/ready"));
    }

    [SkippableFact]
    public async Task ADeviceFailureIsLoggedOnceWhereItHappenedNotAgainWhereItIsAnswered()
    {
        var runner = new FailingRunner { Failure = OrtErrors.Make("RuntimeException", CudnnFailure) };
        var log = new CapturingLogger();
        await using var factory = Start([], runner, log);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item })), 503, "toy@1");

        // One failed batch of one request: one entry (the batcher's, at Error, with ONNX Runtime's text), not a
        // second one from the exception handler that turned it into the 503.
        var entries = log.Entries.Where(e => e.Contains("CUDNN_STATUS_EXECUTION_FAILED", StringComparison.Ordinal)).ToArray();
        var entry = Assert.Single(entries);
        Assert.StartsWith("Error:", entry, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AFailingVersionThatAReloadRetiresNoLongerHoldsReadinessDown()
    {
        var runner = new FailingRunner { Failure = OrtErrors.Make("RuntimeException", CudnnFailure) };
        await using var factory = Start(new() { ["Hypersphere:RunFailureThreshold"] = "1" }, runner);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item })), 503, "toy@1");
        await Http.Problem(await client.GetAsync("/healthz/ready"), 503, "toy@1: 1 in a row");

        runner.Failure = null;
        var root = factory.Registry.Root;
        toys.WriteVersion(root, "toy", "2", seed: 2);
        Directory.Delete(Path.Combine(root, "toy", "1"), recursive: true);
        await factory.Registry.ReloadAsync();

        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        Assert.Equal("toy@2", (string?)Assert.Single(ready["models"]!.AsArray())!["id"]);
    }

    [SkippableFact]
    public async Task ALostDeviceMakesTheServiceNotLive()
    {
        var runner = new FailingRunner { Failure = OrtErrors.Make("Fail", IllegalAddress) };
        await using var factory = Start([], runner);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        await Http.OkJson(await client.GetAsync("/healthz/live"));

        var response = await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item }));

        await Http.Problem(response, 503, "illegal memory access", "cudaErrorIllegalAddress");
        Assert.NotNull(response.Headers.RetryAfter);
        await Http.Problem(await client.GetAsync("/healthz/live"), 503, "should be restarted", "cudaErrorIllegalAddress");
        PrometheusText.AssertValue(await client.GetStringAsync("/metrics"), "hypersphere_inference_failures_total{model=\"toy@1\",kind=\"device_lost\"}", 1);
        runner.Failure = null;
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item })));
        await Http.Problem(await client.GetAsync("/healthz/live"), 503, "should be restarted"); // a success does not bring a lost device back
    }

    [SkippableFact]
    public async Task AnInputErrorStays422AndIsNotCountedAsADeviceFailure()
    {
        var runner = new FailingRunner { Failure = OrtErrors.Make("InvalidArgument", "Got invalid dimensions for input: pixels for the following indices index: 1 Got: 2 Expected: 1") };
        await using var factory = Start(new() { ["Hypersphere:RunFailureThreshold"] = "1" }, runner);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        for (var i = 0; i < 3; i++)
        {
            var problem = await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item })), 422, "the model refused the input", "invalid dimensions");
            Assert.Equal("invalid_input", (string?)problem["error"]!["code"]);
        }

        await Http.OkJson(await client.GetAsync("/healthz/ready"));
        await Http.OkJson(await client.GetAsync("/healthz/live"));
        Assert.DoesNotContain("hypersphere_inference_failures_total{", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AnAutoModelWhoseCudaWarmUpFailsServesOnTheCpuWithTheReason()
    {
        await using var factory = Start(
            new() { ["Hypersphere:ModelLoadRetries"] = "0" },
            services: s => s.AddSingleton<EncoderLoader>((folder, options) => LoadWithBrokenCuda(folder, options with { Provider = ExecutionProviderChoice.Auto })));
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        var model = ready["models"]![0]!;
        Assert.Equal(ExecutionProviders.Cpu, (string?)model["provider"]);
        var reason = (string?)model["fallback_reason"];
        Assert.Contains("warm-up run on CUDA device 0 failed", reason, StringComparison.Ordinal);
        Assert.Contains("CUDNN_STATUS_INTERNAL_ERROR", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("/src/", reason, StringComparison.Ordinal);
        var models = await Http.OkJson(await client.GetAsync("/v1/models"));
        Assert.Contains("warm-up run on CUDA", models.ToJsonString(), StringComparison.Ordinal);
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item })));
    }

    [SkippableFact]
    public async Task AnExplicitCudaModelWhoseWarmUpFailsDoesNotFallBack()
    {
        await using var factory = Start(
            new() { ["Hypersphere:ModelLoadRetries"] = "0" },
            services: s => s.AddSingleton<EncoderLoader>((folder, options) => LoadWithBrokenCuda(folder, options with { Provider = ExecutionProviderChoice.Cuda })));
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var problem = await Http.Problem(await client.GetAsync("/healthz/ready"), 503, "no model could be loaded", "toy@1");
        Assert.Contains("RuntimeException", (string?)problem["failed"]![0]!["error"], StringComparison.Ordinal);
        Assert.Empty(problem["models"]!.AsArray());
    }

    [SkippableFact]
    public async Task ALoadThatFailsTwiceWithANonIoErrorThenSucceedsServesAndShowsTheFailureMeanwhile()
    {
        using var third = new ManualResetEventSlim();
        var attempts = 0;
        await using var factory = Start(
            new() { ["Hypersphere:ModelLoadRetries"] = "3", ["Hypersphere:ModelLoadRetryDelayMs"] = "1" },
            services: s => s.AddSingleton<EncoderLoader>((folder, options) =>
            {
                if (Interlocked.Increment(ref attempts) <= 2)
                {
                    throw new InvalidOperationException($"the device is busy (attempt {attempts}); see {folder.OnnxPath}");
                }

                third.Wait(TimeSpan.FromSeconds(30));
                return OnnxEncoder.Load(folder, options);
            }));
        using var client = factory.CreateClient();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref attempts) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the load was not retried twice within 30 s");
            await Task.Delay(10);
        }

        var problem = await Http.Problem(await client.GetAsync("/healthz/ready"), 503, "still loading", "toy@1: load attempt 2 of 4 failed");
        var failure = (string?)problem["failed"]![0]!["error"];
        Assert.Contains("the device is busy", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(_temp.Path, failure, StringComparison.Ordinal); // scrubbed
        PrometheusText.AssertValue(await client.GetStringAsync("/metrics"), "hypersphere_model_load_failures_total{model=\"toy@1\"}", 2);

        third.Set();
        await factory.WaitForStartupLoadAsync();
        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        Assert.Empty(ready["failed"]!.AsArray());
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Item })));
    }

    private static OnnxEncoder LoadWithBrokenCuda(ModelFolder folder, EncoderOptions options) => OnnxEncoder.Load(
        folder,
        options,
        (path, o) => (OnnxSessionFactory.OpenOnCpu(path, o), new ExecutionProviderInfo(ExecutionProviders.Cuda, o.Provider, null)),
        (encoder, batch) =>
        {
            if (encoder.Provider.Name == ExecutionProviders.Cuda)
            {
                throw OrtErrors.Make("RuntimeException", "CUDNN failure 4: CUDNN_STATUS_INTERNAL_ERROR ; GPU=0 ; hostname=h ; file=/src/conv.cc ; line=1 ; expr=cudnnCreate");
            }

            encoder.WarmUp(batch);
        });

    private ServiceFactory Start(Dictionary<string, string?> settings, FailingRunner? runner = null, CapturingLogger? log = null, Action<IServiceCollection>? services = null)
    {
        toys.Require();
        var root = _temp.Folder("models");
        toys.WriteVersion(root, "toy", "1", seed: 1);
        settings["Hypersphere:MaxBatchDelayMs"] = "0";
        return new ServiceFactory(root, settings, s =>
        {
            if (runner is not null)
            {
                s.AddSingleton<BatchRunner>(runner.Run);
            }

            if (log is not null)
            {
                s.AddSingleton<ILoggerProvider>(log);
            }

            services?.Invoke(s);
        });
    }

    /// <summary>Throws <see cref="Failure"/> while it is set, else runs the model.</summary>
    private sealed class FailingRunner
    {
        private OnnxRuntimeException? _failure;

        public OnnxRuntimeException? Failure
        {
            get => Volatile.Read(ref _failure);
            set => Volatile.Write(ref _failure, value);
        }

        public float[] Run(LoadedModel model, ReadOnlySpan<float> pixels, int count) =>
            Failure is { } failure ? throw failure : model.Encoder.Embed(pixels, count);
    }
}
