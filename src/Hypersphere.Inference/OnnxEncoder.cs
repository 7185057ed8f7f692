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
/// the card when it opens and a one-image warm-up run is made, so a loaded encoder is a working one.
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
    private bool _disposed;

    private OnnxEncoder(ModelFolder folder, InferenceSession session, ExecutionProviderInfo provider)
    {
        Folder = folder;
        _session = session;
        Provider = provider;
        var input = folder.Card.Input;
        _imageSize = input.Channels * input.Height * input.Width;
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
    /// (a mismatch is <see cref="ErrorKind.Corrupt"/>) and runs one warm-up image. With
    /// <see cref="ExecutionProviderChoice.Auto"/>, a warm-up that fails on CUDA (a missing or broken cuDNN shows up
    /// only at the first convolution) is not the model's failure: that session is disposed and the model is opened,
    /// warmed up and served on the CPU, with the reason in <see cref="ExecutionProviderInfo.FallbackReason"/>.
    /// <see cref="ExecutionProviderChoice.Cuda"/> never falls back.
    /// </summary>
    public static OnnxEncoder Load(ModelFolder folder, EncoderOptions? options = null) =>
        Load(folder, options ?? EncoderOptions.Default, OnnxSessionFactory.Open, static encoder => encoder.WarmUp());

    /// <summary><see cref="Load(ModelFolder, EncoderOptions?)"/> with the session opening and the warm-up run given (tests inject failures here).</summary>
    internal static OnnxEncoder Load(ModelFolder folder, EncoderOptions options, SessionOpener open, Action<OnnxEncoder> warmUp)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(warmUp);
        var (session, provider) = open(folder.OnnxPath, options);
        var encoder = new OnnxEncoder(folder, session, provider);
        try
        {
            OnnxInterface.Check(session, folder);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }

        try
        {
            warmUp(encoder);
            return encoder;
        }
        catch (Exception e) when (options.Provider == ExecutionProviderChoice.Auto && provider.Name == ExecutionProviders.Cuda
            && e is HypersphereException or OnnxRuntimeException)
        {
            encoder.Dispose();
            var why = e is OnnxRuntimeException ort ? RunFailures.Classify(ort, folder.Id, provider.Name, 1).Message : e.Message;
            var reason = $"the warm-up run on CUDA device {options.DeviceId} failed, so the session was opened on the CPU instead: {why}";
            var cpu = new OnnxEncoder(folder, OnnxSessionFactory.OpenOnCpu(folder.OnnxPath, options), new ExecutionProviderInfo(ExecutionProviders.Cpu, options.Provider, reason));
            try
            {
                warmUp(cpu);
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
                _session.Dispose();
            }
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
    }

    private EncoderOutput[] RunSession(ReadOnlySpan<float> pixels, int batch, IReadOnlyList<string> outputs)
    {
        var input = Card.Input;
        using var tensor = OrtValue.CreateAllocatedTensorValue(
            OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, input.Channels, input.Height, input.Width]);
        pixels.CopyTo(tensor.GetTensorMutableDataAsSpan<float>());
        using var runOptions = new RunOptions();
        try
        {
            using var results = _session.Run(runOptions, [Card.Onnx.Input], [tensor], outputs);
            var answer = new EncoderOutput[outputs.Count];
            var i = 0;
            foreach (var result in results)
            {
                answer[i] = Read(outputs[i], result, batch);
                i++;
            }

            return answer;
        }
        catch (OnnxRuntimeException e)
        {
            throw RunFailures.Classify(e, Folder.Id, Provider.Name, batch);
        }
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

    internal void WarmUp() => Run(new float[_imageSize], 1, Card.Onnx.Outputs);
}
