using System.Text.Json.Serialization;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Reports;
using Hypersphere.Service.Runtime.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hypersphere.Service.Api;

/// <summary><c>GET /v1/models</c>: every model, its versions, their input spec, dimension, provider and card.</summary>
public static class ModelsApi
{
    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapModels(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/models").WithTags("Models");
        group.MapGet(string.Empty, List)
            .WithName("ListModels")
            .WithSummary("The models served, their versions and cards, and the execution provider each loaded version runs on");
        group.MapGet("/plane", Plane)
            .WithName("ModelsPlane")
            .WithSummary("The alignment–uniformity plane of the served models (SVG)")
            .WithDescription(
                "One point per model version whose card has held-out scores: x = evaluation.uniformity (t = 2), y = evaluation.alignment (α = 2), " +
                "coloured by evaluation.linear_output, with the uniform-sphere optimum of the embedding dimension drawn. Lower is better on both axes.")
            .Produces<string>(StatusCodes.Status200OK, SvgMediaType);
        return group;
    }

    /// <summary>The media type of the plane.</summary>
    public const string SvgMediaType = "image/svg+xml";

    /// <summary>t and α of the cards' held-out scores (<see cref="EvaluationSpec"/>).</summary>
    private const double CardT = 2;

    private static ContentHttpResult Plane(ModelRegistry registry)
    {
        var points = new List<PlanePoint>();
        var dims = new List<int>();
        foreach (var model in registry.Catalog.Models)
        {
            foreach (var version in model.Versions)
            {
                ModelCard card;
                try
                {
                    card = registry.CardOf(new ModelId(model.Name, version));
                }
                catch (HypersphereException)
                {
                    continue; // a card that cannot be read has no scores to plot; /v1/models says why
                }

                if (card.Evaluation is { } evaluation)
                {
                    points.Add(new PlanePoint($"{model.Name}@{version}", evaluation.Uniformity, evaluation.Alignment, evaluation.LinearOutput));
                    dims.Add(card.EmbeddingDim);
                }
            }
        }

        // The optimum line is drawn for one d: the most common among the plotted models (all of them, for the shipped ones).
        var dim = dims.Count == 0 ? 2 : dims.GroupBy(d => d).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var figure = ModelsPlaneFigure.Draw(points, dim, CardT);
        return TypedResults.Text(figure, SvgMediaType + "; charset=utf-8");
    }

    private static Ok<ModelList> List(ModelRegistry registry)
    {
        var loaded = registry.Loaded.ToDictionary(m => m.Id);
        var failures = registry.Failures.ToDictionary(f => f.Model, f => f.Error);
        var data = registry.Catalog.Models.Select(model => new ModelEntry(
            model.Name,
            "model",
            registry.ServingVersion(model),
            model.Versions.Reverse().Select(version => Describe(registry, new ModelId(model.Name, version), loaded, failures)).ToArray()));
        string? defaultModel = null;
        try
        {
            defaultModel = registry.DefaultModel()?.ToString();
        }
        catch (HypersphereException)
        {
            // No default while nothing is served.
        }

        return TypedResults.Ok(new ModelList("list", defaultModel, data.ToArray()));
    }

    private static ModelVersionEntry Describe(ModelRegistry registry, ModelId id, Dictionary<ModelId, LoadedModel> loaded, Dictionary<ModelId, string> failures)
    {
        var state = registry.StateOf(id);
        if (loaded.TryGetValue(id, out var model))
        {
            // A loaded version may carry an error: its folder changed and the new files were refused.
            return new ModelVersionEntry(id, id.Version, state, model.Card.Input, model.Card.EmbeddingDim, model.Provider, model.Card, failures.GetValueOrDefault(id));
        }

        try
        {
            var card = registry.CardOf(id);
            return new ModelVersionEntry(id, id.Version, state, card.Input, card.EmbeddingDim, null, card, failures.GetValueOrDefault(id));
        }
        catch (HypersphereException e)
        {
            return new ModelVersionEntry(id, id.Version, ModelState.Failed, null, null, null, null, failures.GetValueOrDefault(id) ?? e.Message);
        }
    }
}

/// <summary>The answer of <c>GET /v1/models</c>.</summary>
/// <param name="Kind">Always <c>list</c>.</param>
/// <param name="DefaultModel">The model used when a request names none, <c>name@version</c>; null when no model is served.</param>
/// <param name="Data">One entry per model name, in ordinal order.</param>
public sealed record ModelList(
    [property: JsonPropertyName("object")] string Kind,
    string? DefaultModel,
    IReadOnlyList<ModelEntry> Data);

/// <summary>A model name and its versions.</summary>
/// <param name="Id">The model's name: pass it (or <c>name@version</c>) as <c>model</c>.</param>
/// <param name="Kind">Always <c>model</c>.</param>
/// <param name="Latest">The version used when only the name is given: the newest that loads (a refused newer version is listed as failed).</param>
/// <param name="Versions">Every version, newest first.</param>
public sealed record ModelEntry(
    string Id,
    [property: JsonPropertyName("object")] string Kind,
    string Latest,
    IReadOnlyList<ModelVersionEntry> Versions);

/// <summary>One version of a model.</summary>
/// <param name="Id"><c>name@version</c>.</param>
/// <param name="Version">The version folder.</param>
/// <param name="Status"><c>loaded</c> (warmed up, serving), <c>loading</c>, <c>not_loaded</c> (older versions load on first use) or <c>failed</c>.</param>
/// <param name="Input">What the model takes: C, H, W, per-channel mean and std, resize policy.</param>
/// <param name="EmbeddingDim">Dimension D of the unit-norm embeddings.</param>
/// <param name="ExecutionProvider">The execution provider the loaded session runs on, what was requested, and why it fell back to the CPU if it did; null until loaded.</param>
/// <param name="Card">The model card (<c>model.json</c>).</param>
/// <param name="Error">Why the version failed to load, or why a change to its folder was refused, if either happened.</param>
public sealed record ModelVersionEntry(
    ModelId Id,
    string Version,
    ModelState Status,
    InputSpec? Input,
    int? EmbeddingDim,
    ExecutionProviderInfo? ExecutionProvider,
    ModelCard? Card,
    string? Error);
