using System.CommandLine;
using Hypersphere.Core.Quality;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere quality</c>: alignment, uniformity and collapse diagnostics of embedding files.</summary>
internal static class QualityCommand
{
    public static Command Create()
    {
        var inputs = new QualityInputOptions(embeddingsRequired: true);
        var command = new Command("quality", "Measure alignment, uniformity, RankMe and collapse of a batch of embeddings; prints JSON");
        foreach (var option in inputs.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandErrors.Run(() =>
        {
            Console.Out.WriteLine(QualityJson.Serialize(inputs.Load(parse).Report));
            return 0;
        }));
        return command;
    }
}
