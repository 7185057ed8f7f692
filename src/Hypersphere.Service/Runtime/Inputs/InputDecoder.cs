using System.Buffers;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Runtime.Inputs;

/// <summary>A source's items preprocessed for a model: <see cref="Count"/>·C·H·W floats in a buffer rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
/// <param name="Buffer">The rented buffer; its first <see cref="Length"/> floats are the model's input, channel-first, item after item.</param>
/// <param name="Count">Number of items.</param>
/// <param name="Length">Count·C·H·W.</param>
internal sealed record PreprocessedItems(float[] Buffer, int Count, int Length)
{
    /// <summary>The input floats.</summary>
    public ReadOnlyMemory<float> Pixels => Buffer.AsMemory(0, Length);

    /// <summary>
    /// Gives the buffer back. Only once nothing can read it any more: after the batches that hold its rows have
    /// run (a request that failed or was abandoned leaves its buffer to the garbage collector instead, since a batch
    /// may still be copying from it).
    /// </summary>
    public void Return() => ArrayPool<float>.Shared.Return(Buffer);

    /// <summary>Rents a buffer for <paramref name="count"/> items of <paramref name="size"/> floats.</summary>
    public static PreprocessedItems Rent(int count, int size)
    {
        var length = checked(count * size);
        return new PreprocessedItems(ArrayPool<float>.Shared.Rent(length), count, length);
    }
}

/// <summary>
/// Turns raw inputs into a model's input floats, as part of the request that sent them: under its admission permit,
/// checking its cancellation (client gone, request timeout) between images, charging each image's declared size
/// against its <see cref="PixelBudget"/> before decoding, and decoding at most one image per core at a time across
/// the service (decoding is CPU-bound: more at once only adds memory).
/// </summary>
internal sealed class InputDecoder(IOptions<HypersphereOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _decoders = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private readonly int _maxItems = options.Value.MaxItemsPerRequest;

    /// <summary>Preprocesses <paramref name="source"/> for <paramref name="model"/>.</summary>
    public async Task<PreprocessedItems> PreprocessAsync(EmbeddingSource source, LoadedModel model, PixelBudget budget, CancellationToken cancellationToken) => source switch
    {
        JsonItemsSource json => await FromJsonAsync(json.Items, json.Field, model, budget, cancellationToken),
        NpySource npy => FromNpy(npy.Bytes, npy.Field, model, budget),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source.GetType().Name, "unknown source"),
    };

    public void Dispose() => _decoders.Dispose();

    private async Task<PreprocessedItems> FromJsonAsync(JsonElement input, string field, LoadedModel model, PixelBudget budget, CancellationToken cancellationToken)
    {
        var items = InputItems.List(input, field, _maxItems);
        var size = model.Preprocessor.ImageSize;
        var spec = model.Card.Input;
        var expected = $"C·H·W = {spec.Channels}·{spec.Height}·{spec.Width} = {size} floats for model {model.Id}";
        var result = PreprocessedItems.Rent(items.Count, size);
        var pixels = result.Buffer;
        try
        {
            await FillAsync(items, model, budget, expected, pixels, cancellationToken);
        }
        catch
        {
            result.Return(); // nothing else has seen it
            throw;
        }

        return result;
    }

    private async Task FillAsync(
        IReadOnlyList<(JsonElement Item, string Name)> items, LoadedModel model, PixelBudget budget, string expected, float[] pixels, CancellationToken cancellationToken)
    {
        var size = model.Preprocessor.ImageSize;
        for (var i = 0; i < items.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (item, name) = items[i];
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    var bytes = DecodeBase64(JsonStrings.Get(item, name), name, model);
                    await _decoders.WaitAsync(cancellationToken);
                    try
                    {
                        Decode(bytes, name, model.Preprocessor, budget, pixels.AsSpan(i * size, size));
                    }
                    finally
                    {
                        _decoders.Release();
                    }

                    break;
                case JsonValueKind.Array:
                    InputItems.ReadFloats(item, name, expected, pixels.AsSpan(i * size, size));
                    break;
                default:
                    throw HypersphereException.Bad($"{name} must be {InputItems.ItemShape}, but was {InputItems.Describe(item)}");
            }
        }
    }

    // A string that is no base64 is most often text sent to what a client took for a text-embedding API: say what this model takes.
    private static byte[] DecodeBase64(string text, string name, LoadedModel model)
    {
        try
        {
            return Base64Image.Decode(text, name);
        }
        catch (HypersphereException e) when (e.Kind == ErrorKind.BadRequest)
        {
            var spec = model.Card.Input;
            throw new HypersphereException(
                e.Kind, $"{e.Message}; model {model.Id} takes images of {spec.Channels}×{spec.Height}×{spec.Width} (larger or smaller ones are resized)", e);
        }
    }

    private static void Decode(byte[] bytes, string name, ImagePreprocessor preprocessor, PixelBudget budget, Span<float> destination)
    {
        try
        {
            // The decoder refuses one image over MaxImagePixels itself, then the budget sees the header: both before decoding.
            preprocessor.FromEncoded(bytes, destination, (width, height) => budget.Charge(width, height, name));
        }
        catch (HypersphereException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new HypersphereException(e.Kind, $"{name}: {e.Message}", e);
        }
    }

    private PreprocessedItems FromNpy(byte[] bytes, string field, LoadedModel model, PixelBudget budget)
    {
        try
        {
            return ReadNpy(bytes, field, model, budget);
        }
        catch (HypersphereException e) when (e.Kind == ErrorKind.Corrupt)
        {
            // A truncated or inconsistent file is Corrupt when it is stored; a request body that is one is malformed (400).
            throw new HypersphereException(ErrorKind.BadRequest, e.Message, e);
        }
    }

    private PreprocessedItems ReadNpy(byte[] bytes, string field, LoadedModel model, PixelBudget budget)
    {
        var input = EmbeddingInputs.FromNpy(bytes, field, model.Preprocessor);
        if (input.Count == 0)
        {
            throw HypersphereException.Invalid($"{field} must hold at least 1 image, but its array has N = 0");
        }

        if (input.Count > _maxItems)
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"{field} must hold at most {_maxItems} images (Hypersphere:MaxItemsPerRequest), but held {input.Count}");
        }

        // Every image is at least the model's size once converted; charge that (an array's own size is bounded by the body limit).
        var spec = model.Card.Input;
        budget.Charge((long)input.Count * spec.Width, spec.Height, field);
        var result = PreprocessedItems.Rent(input.Count, model.Preprocessor.ImageSize);
        try
        {
            input.Preprocess(0, input.Count, result.Buffer.AsSpan(0, result.Length));
        }
        catch
        {
            result.Return();
            throw;
        }

        return result;
    }
}
