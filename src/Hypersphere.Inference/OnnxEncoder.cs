using Hypersphere.Core.Errors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Hypersphere.Inference;

/// <summary>One named output of a run: float values, row-major, with their shape.</summary>
/// <param name="Name">The graph output's name.</param>
/// <param name="Values">Row-major values.</param>
/// <param name="Shape">Its dimensions; the first is the batch.</param>
public sealed record EncoderOutput(string Name, float[] Values, int[] Shape);

/// <summary>Opens a session for a model file with the given options, and says which provider it runs on.</summary>
internal delegate (InferenceSession Session, ExecutionProviderInfo Provider) SessionOpener(string onnxPath, EncoderOptions options);

/// <summary>
/// An encoder behind one long-lived ONNX Runtime session. The session's interface is checked against
/// the card when it opens and warm-up runs are made (one image on the CPU, every batch size of
/// <see cref="EncoderOptions.WarmUpBatchSizes"/> on CUDA), so a loaded encoder is a working one.
/// On CUDA a run binds its input and outputs to pinned host memory through IOBinding (<see cref="HostBinding"/>),
/// so the copies to and from the device are DMA transfers from page-locked buffers rather than staged through
/// pageable memory; on the CPU it passes managed buffers as before.
/// <see cref="Run"/> may be called from many threads at once (ONNX Runtime allows concurrent runs on
/// one session); <see cref="Dispose"/> waits for runs in flight, and runs after it are refused as
/// <see cref="ErrorKind.NotReady"/>, which is what a hot reload that swapped the model out needs.
/// </summary>
public sealed class OnnxEncoder : IDisposable
{
    private readonly InferenceSession _session;
    // Runs share the read side, Dispose takes the write side. The lock itself is never disposed: a run
    // racing Dispose may still be waiting on it, and it holds no native resources.
    private readonly ReaderWriterLockSlim _lifetime = new();
    private readonly int _imageSize;
    // Null: the plain path. Created at the first bound run, so a session that only says it is on CUDA (tests) loads.
    private readonly Lazy<HostBinding>? _binding;
    private bool _disposed;

    private OnnxEncoder(ModelFolder folder, InferenceSession session, ExecutionProviderInfo provider, EncoderOptions options)
    {
        Folder = folder;
        _session = session;
        Provider = provider;
        var input = folder.Card.Input;
        _imageSize = input.Channels * input.Height * input.Width;
        if (provider.Name == ExecutionProviders.Cuda || options.BindIoOnCpu)
        {
            _binding = new Lazy<HostBinding>(() => HostBinding.For(session, provider.Name, options.DeviceId), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    /// <summary>The checked folder the model came from.</summary>
    public ModelFolder Folder { get; }

    /// <summary>The model's card.</summary>
    public ModelCard Card => Folder.Card;

    /// <summary>The execution provider the session runs on.</summary>
    public ExecutionProviderInfo Provider { get; }

    /// <summary>Floats per image: C·H·W.</summary>
    public int ImageSize => _imageSize;

    /// <summary>Every output the graph has, by name (the card's list may name fewer).</summary>
    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    /// <summary>Opens the folder (<see cref="ModelFolder.Open"/>) and loads its model.</summary>
    public static OnnxEncoder Open(string directory, EncoderOptions? options = null) => Load(ModelFolder.Open(directory), options);

    /// <summary>
    /// Opens a session for <paramref name="folder"/>'s model, checks its input and outputs against the card
    /// (a mismatch is <see cref="ErrorKind.Corrupt"/>) and warms it up: one image on the CPU, each of
    /// <see cref="EncoderOptions.WarmUpBatchSizes"/> on CUDA. With
    /// <see cref="ExecutionProviderChoice.Auto"/>, a warm-up that fails on CUDA (a missing or broken cuDNN shows up
    /// only at the first convolution, a too small <c>gpu_mem_limit</c> at the largest batch) is not the model's
    /// failure: that session is disposed and the model is opened, warmed up and served on the CPU, with the reason in
    /// <see cref="ExecutionProviderInfo.FallbackReason"/>. <see cref="ExecutionProviderChoice.Cuda"/> never falls back.
    /// </summary>
    public static OnnxEncoder Load(ModelFolder folder, EncoderOptions? options = null) =>
        Load(folder, options ?? EncoderOptions.Default, OnnxSessionFactory.Open, static (encoder, batch) => encoder.WarmUp(batch));

    /// <summary>
    /// <see cref="Load(ModelFolder, EncoderOptions?)"/> with the session opening and the warm-up run of one batch size given
    /// (tests inject failures and count sizes here).
    /// </summary>
    internal static OnnxEncoder Load(ModelFolder folder, EncoderOptions options, SessionOpener open, Action<OnnxEncoder, int> warmUp)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(warmUp);
        options.Validate();
        var (session, provider) = open(folder.OnnxPath, options);
        var encoder = new OnnxEncoder(folder, session, provider, options);
        try
        {
            OnnxInterface.Check(session, folder);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }

        var batch = 0; // the size being warmed, named when it fails
        void WarmUpAll(OnnxEncoder warming)
        {
            foreach (var size in options.WarmUpSizesOn(warming.Provider.Name))
            {
                batch = size;
                warmUp(warming, size);
            }
        }

        try
        {
            WarmUpAll(encoder);
            return encoder;
        }
        catch (Exception e) when (options.Provider == ExecutionProviderChoice.Auto && provider.Name == ExecutionProviders.Cuda
            && e is HypersphereException or OnnxRuntimeException)
        {
            encoder.Dispose();
            var why = e is OnnxRuntimeException ort ? RunFailures.Classify(ort, folder.Id, provider.Name, batch).Message : e.Message;
            var reason = $"the warm-up run on CUDA device {options.DeviceId} failed at a batch of {batch}, so the session was opened on the CPU instead: {why}";
            var cpu = new OnnxEncoder(
                folder, OnnxSessionFactory.OpenOnCpu(folder.OnnxPath, options), new ExecutionProviderInfo(ExecutionProviders.Cpu, options.Provider, reason), options);
            try
            {
                WarmUpAll(cpu);
                return cpu;
            }
            catch
            {
                cpu.Dispose();
                throw;
            }
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Embeds <paramref name="batch"/> preprocessed images (<paramref name="pixels"/>: batch·C·H·W floats,
    /// channel-first) and returns the first output, batch×D floats row-major.
    /// </summary>
    public float[] Embed(ReadOnlySpan<float> pixels, int batch) => Run(pixels, batch, [Card.Onnx.Outputs[0]])[0].Values;

    /// <summary>Runs a batch and returns the named outputs (e.g. the embedding and <c>fc7</c>) in the order asked.</summary>
    public IReadOnlyList<EncoderOutput> Run(ReadOnlySpan<float> pixels, int batch, IReadOnlyList<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        CheckBatch(pixels, batch);
        foreach (var name in outputs)
        {
            if (!_session.OutputMetadata.ContainsKey(name))
            {
                throw HypersphereException.Invalid($"output must be one of [{string.Join(", ", _session.OutputNames)}], but was '{name}'");
            }
        }

        _lifetime.EnterReadLock();
        try
        {
            if (_disposed)
            {
                throw new HypersphereException(ErrorKind.NotReady, $"model {Folder.Id} has been unloaded");
            }

            return RunSession(pixels, batch, outputs);
        }
        finally
        {
            _lifetime.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _lifetime.EnterWriteLock();
        try
        {
            if (!_disposed)
            {
                _disposed = true;
                if (_binding is { IsValueCreated: true })
                {
                    _binding.Value.Dispose();
                }

                _session.Dispose();
            }
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
    }

    // Both paths fail the same way: ONNX Runtime's exceptions are classified once, here.
    private EncoderOutput[] RunSession(ReadOnlySpan<float> pixels, int batch, IReadOnlyList<string> outputs)
    {
        var host = HostMemory(batch);
        try
        {
            return host is null ? RunPlain(pixels, batch, outputs) : RunBound(host, pixels, batch, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw RunFailures.Classify(e, Folder.Id, Provider.Name, batch);
        }
    }

    /// <summary>
    /// The bound path's host memory, or null for the plain path. ONNX Runtime answers a session without that allocator
    /// with <c>InvalidArgument</c>, which is not the input's fault: it is the server's, every run would fail alike.
    /// </summary>
    private HostBinding? HostMemory(int batch)
    {
        try
        {
            return _binding?.Value;
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceFailureException(
                DeviceFault.Runtime,
                $"model {Folder.Id} could not run a batch of {batch} on {Provider.Name}: ONNX Runtime has no {(Provider.Name == ExecutionProviders.Cuda ? "pinned " : string.Empty)}host memory to bind the run's input and outputs to ({RunFailures.ErrorCodeOf(e.Message) ?? "unknown"}); this is the server's failure, not the request's, and is in its log",
                5,
                e);
        }
    }

    private EncoderOutput[] RunPlain(ReadOnlySpan<float> pixels, int batch, IReadOnlyList<string> outputs)
    {
        using var tensor = InputTensor(OrtAllocator.DefaultInstance, pixels, batch);
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [Card.Onnx.Input], [tensor], outputs);
        return ReadAll(outputs, results, batch);
    }

    /// <summary>
    /// One run through its own IOBinding (a binding holds one run's buffers, so concurrent runs each take one): the
    /// input is copied into a tensor of <paramref name="host"/>'s memory and the outputs are bound to that memory, so
    /// ONNX Runtime copies between it and the device itself, and the answer is read from host memory.
    /// </summary>
    private EncoderOutput[] RunBound(HostBinding host, ReadOnlySpan<float> pixels, int batch, IReadOnlyList<string> outputs)
    {
        using var tensor = InputTensor(host.Allocator, pixels, batch);
        using var binding = _session.CreateIoBinding();
        binding.BindInput(Card.Onnx.Input, tensor);
        foreach (var name in outputs)
        {
            binding.BindOutputToDevice(name, host.Memory);
        }

        using var runOptions = new RunOptions();
        binding.SynchronizeBoundInputs();
        using var results = _session.RunWithBoundResults(runOptions, binding);
        binding.SynchronizeBoundOutputs();
        return ReadAll(outputs, results, batch);
    }

    private OrtValue InputTensor(OrtAllocator allocator, ReadOnlySpan<float> pixels, int batch)
    {
        var input = Card.Input;
        var tensor = OrtValue.CreateAllocatedTensorValue(allocator, TensorElementType.Float, [batch, input.Channels, input.Height, input.Width]);
        pixels.CopyTo(tensor.GetTensorMutableDataAsSpan<float>());
        return tensor;
    }

    private EncoderOutput[] ReadAll(IReadOnlyList<string> outputs, IReadOnlyCollection<OrtValue> results, int batch)
    {
        var answer = new EncoderOutput[outputs.Count];
        var i = 0;
        foreach (var result in results)
        {
            answer[i] = Read(outputs[i], result, batch);
            i++;
        }

        return answer;
    }

    private EncoderOutput Read(string name, OrtValue value, int batch)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType != TensorElementType.Float)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"model {Folder.Id} output '{name}' must be float, but was {info.ElementDataType}");
        }

        var shape = info.Shape.Select(d => checked((int)d)).ToArray();
        if (shape.Length == 0 || shape[0] != batch)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"model {Folder.Id} output '{name}' must have the batch ({batch}) as its first dimension, but had shape [{string.Join(", ", shape)}]");
        }

        var values = value.GetTensorDataAsSpan<float>().ToArray();
        if (name == Card.Onnx.Outputs[0] && (shape.Length != 2 || shape[1] != Card.EmbeddingDim))
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"model {Folder.Id} embedding '{name}' must have shape [{batch}, {Card.EmbeddingDim}] (embedding_dim in the card), but had [{string.Join(", ", shape)}]");
        }

        return new EncoderOutput(name, values, shape);
    }

    private void CheckBatch(ReadOnlySpan<float> pixels, int batch)
    {
        var input = Card.Input;
        if (batch < 1)
        {
            throw HypersphereException.Invalid($"batch must be at least 1, but was {batch}");
        }

        var expected = (long)batch * _imageSize;
        if (pixels.Length != expected)
        {
            throw HypersphereException.Invalid(
                $"pixels must hold batch·C·H·W = {batch}·{input.Channels}·{input.Height}·{input.Width} = {expected} floats, but held {pixels.Length}");
        }

        var bad = FirstNonFinite(pixels);
        if (bad >= 0)
        {
            throw HypersphereException.Invalid($"pixels must be finite, but element {bad} (image {bad / _imageSize}) was {pixels[bad]}");
        }
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One warm-up run of <paramref name="batch"/> blank images through every output of the card.</summary>
    internal void WarmUp(int batch = 1) => Run(new float[batch * _imageSize], batch, Card.Onnx.Outputs);
}
