using Hypersphere.Inference;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>A model version that is loaded and warmed up: its session and the preprocessor for its card.</summary>
/// <param name="Id">The version.</param>
/// <param name="Encoder">The long-lived ONNX Runtime session (owned by the registry).</param>
/// <param name="Preprocessor">Turns encoded images into the card's C×H×W floats, with the service's pixel limit.</param>
public sealed record LoadedModel(ModelId Id, OnnxEncoder Encoder, ImagePreprocessor Preprocessor)
{
    /// <summary>The model's card.</summary>
    public ModelCard Card => Encoder.Card;

    /// <summary>The execution provider the session runs on, and why it is not the requested one when it is not.</summary>
    public ExecutionProviderInfo Provider => Encoder.Provider;
}

/// <summary>A model version that could not be loaded, and why (in words fit for clients: no file-system paths).</summary>
/// <param name="Model">The version.</param>
/// <param name="Error">What went wrong.</param>
public sealed record ModelLoadFailure(ModelId Model, string Error);
