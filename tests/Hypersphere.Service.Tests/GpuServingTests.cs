using System.Collections.Concurrent;
using Hypersphere.Inference;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Runtime.Models;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Service.Tests;

/// <summary>
/// What changes when a model runs on CUDA, with a model that only says it does (a CPU session reported as CUDA through
/// the EncoderLoader seam, and a batch runner that answers without running): the GPU batching defaults (128 images,
/// 2 ms, two runs at once, as docs/deployment.md "Serving on a GPU" states them), the explicit settings that override
/// them, the warm-up at every batch size the batcher may send, and the CUDA settings reaching the encoder's options.
/// </summary>
public sealed class GpuServingTests(ToyModels toys) : IClassFixture<ToyModels>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null, null, null, ExecutionProviders.Cuda, 128, 2, 2)] // the GPU defaults
    [InlineData(null, null, 1, ExecutionProviders.Cpu, 32, 0, 1)] // the CPU defaults
    [InlineData(8, 0, 1, ExecutionProviders.Cuda, 8, 0, 1)] // explicit settings win, 0 ms included
    [InlineData(256, 5, 3, ExecutionProviders.Cpu, 256, 5, 3)]
    public void BatchLimitsFollowTheModelsProviderUnlessSet(int? maxBatch, int? delayMs, int? runs, string provider, int expectedBatch, int expectedDelayMs, int expectedRuns)
    {
        var options = new HypersphereOptions { MaxBatchSize = maxBatch ?? 0, MaxBatchDelayMs = delayMs, ConcurrentBatches = runs ?? 0 };

        var limits = BatchScheduler.LimitsFor(options, provider);

        Assert.Equal(new BatchLimits(expectedBatch, TimeSpan.FromMilliseconds(expectedDelayMs), 2048, expectedRuns), limits);
    }

    [SkippableFact]
    public async Task ACudaModelIsWarmedAtEverySizeUpTo128AndItsBatchesFillTo128()
    {
        var load = new RecordingLoader();
        using var runner = new GatedRunner(run: UnitRows);
        await using var factory = Start([], load, runner);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        Assert.Equal(Enumerable.Range(1, 128).Reverse(), load.Warmed);
        Assert.Equal("HEURISTIC", load.Options!.Cuda.ConvAlgoSearch); // the service's defaults reach the encoder
        Assert.Equal("kSameAsRequested", load.Options.Cuda.ArenaExtendStrategy);
        Assert.Equal(0, load.Options.Cuda.MemoryLimitBytes);
        Assert.True(load.Options.Cuda.CopyInDefaultStream);

        // Two single images take both run slots and are held; 300 more queue behind them.
        var first = Embed(client, 1);
        Assert.True(await runner.WaitForRunAsync());
        var second = Embed(client, 1);
        Assert.True(await runner.WaitForRunAsync()); // a second run at once: the GPU's two slots
        var queued = new[] { Embed(client, 150), Embed(client, 150) };
        await Until(() => QueueDepth(factory) == 300);
        runner.Open();
        foreach (var response in queued.Prepend(second).Prepend(first))
        {
            await Http.OkJson(await response);
        }

        Assert.Equal([1, 1, 44, 128, 128], runner.Sizes.Order());
        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        Assert.Equal(ExecutionProviders.Cuda, (string?)ready["models"]![0]!["provider"]);
    }

    [SkippableFact]
    public async Task ExplicitSettingsOverrideTheGpuDefaultsAndReachTheEncoder()
    {
        var load = new RecordingLoader();
        using var runner = new GatedRunner(run: UnitRows);
        await using var factory = Start(
            new()
            {
                ["Hypersphere:MaxBatchSize"] = "8",
                ["Hypersphere:MaxBatchDelayMs"] = "0",
                ["Hypersphere:ConcurrentBatches"] = "1",
                ["Hypersphere:CudnnConvAlgoSearch"] = "exhaustive",
                ["Hypersphere:CudaArenaExtendStrategy"] = "kNextPowerOfTwo",
                ["Hypersphere:CudaMemoryLimitBytes"] = "4294967296",
                ["Hypersphere:CudaCopyInDefaultStream"] = "false",
            },
            load,
            runner);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], load.Warmed);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "0",
                ["cudnn_conv_algo_search"] = "EXHAUSTIVE",
                ["arena_extend_strategy"] = "kNextPowerOfTwo",
                ["gpu_mem_limit"] = "4294967296",
                ["do_copy_in_default_stream"] = "0",
            },
            load.Options!.Cuda.ToProviderOptions(load.Options.DeviceId));

        var first = Embed(client, 1);
        Assert.True(await runner.WaitForRunAsync());
        var rest = Embed(client, 20);
        await Until(() => QueueDepth(factory) == 20);
        runner.Open();
        await Http.OkJson(await first);
        await Http.OkJson(await rest);

        Assert.Equal([1, 8, 8, 4], runner.Sizes); // one run at a time, at most 8 images
    }

    private static int QueueDepth(ServiceFactory factory) => factory.Services.GetRequiredService<BatchScheduler>().QueueDepth(new ModelId("toy", "1"));

    private static Task<HttpResponseMessage> Embed(HttpClient client, int images) =>
        client.PostAsync("/v1/embeddings", Http.Json(new { input = Enumerable.Range(0, images).Select(_ => new float[ToyModels.ImageSize]).ToArray() }));

    // A GPU run cannot happen here: each image's embedding is the first unit vector.
    private static float[] UnitRows(LoadedModel model, ReadOnlySpan<float> pixels, int count)
    {
        var dim = model.Card.EmbeddingDim;
        var rows = new float[count * dim];
        for (var i = 0; i < count; i++)
        {
            rows[i * dim] = 1;
        }

        return rows;
    }

    private ServiceFactory Start(Dictionary<string, string?> settings, RecordingLoader load, GatedRunner runner)
    {
        toys.Require();
        var root = _temp.Folder("models");
        toys.WriteVersion(root, "toy", "1", seed: 1);
        settings["Hypersphere:ModelLoadRetries"] = "0";
        return new ServiceFactory(root, settings, s =>
        {
            s.AddSingleton<EncoderLoader>(load.Load);
            runner.Install(s);
        });
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(10);
        }
    }

    /// <summary>Loads a CPU session that says it is on CUDA, recording the options it was given and the sizes it was warmed at (without running).</summary>
    private sealed class RecordingLoader
    {
        private readonly ConcurrentQueue<int> _warmed = new();

        public EncoderOptions? Options { get; private set; }

        public IReadOnlyList<int> Warmed => _warmed.ToArray();

        public OnnxEncoder Load(ModelFolder folder, EncoderOptions options)
        {
            Options = options;
            return OnnxEncoder.Load(
                folder,
                options,
                static (path, o) => (OnnxSessionFactory.OpenOnCpu(path, o), new ExecutionProviderInfo(ExecutionProviders.Cuda, o.Provider, null)),
                (_, batch) => _warmed.Enqueue(batch));
        }
    }
}
