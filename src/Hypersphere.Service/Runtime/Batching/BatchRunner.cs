using Hypersphere.Service.Runtime.Models;

namespace Hypersphere.Service.Runtime.Batching;

/// <summary>
/// Runs one batch of preprocessed images through a model's session and returns batch·D floats. The batcher
/// calls nothing else, so this is where tests slow runs down or count them.
/// </summary>
internal delegate float[] BatchRunner(LoadedModel model, ReadOnlySpan<float> pixels, int count);
