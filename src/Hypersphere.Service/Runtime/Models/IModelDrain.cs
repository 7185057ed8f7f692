namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// Work that must finish before a model version's session is disposed: when a reload removes or replaces a
/// version, and at shutdown, the registry stops routing requests to it, waits for every drain, then disposes it.
/// </summary>
public interface IModelDrain
{
    /// <summary>Takes no more work for <paramref name="model"/> and completes when the work already taken is done.</summary>
    Task DrainAsync(LoadedModel model, CancellationToken cancellationToken);
}
