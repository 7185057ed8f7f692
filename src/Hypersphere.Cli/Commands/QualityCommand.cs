using System.CommandLine;
using Hypersphere.Cli.Reporting;
using Hypersphere.Core.Quality;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere quality</c>: alignment, uniformity and collapse diagnostics of embedding files.</summary>
internal static class QualityCommand
{
    public static Command Create()
    {
        var inputs = new QualityInputOptions(embeddingsRequired: true);
        var progress = new Option<bool>("--progress")
        {
            Description = "Show the exact pass's progress on stderr even when stderr is not a terminal (on a terminal it is always shown)",
        };
        var command = new Command("quality", "Measure alignment, uniformity, RankMe and collapse of a batch of embeddings; prints JSON. .npy files are memory-mapped and read in blocks, so they may exceed memory");
        foreach (var option in inputs.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(progress);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var ctrlC = CtrlC.Listen();
            using var loaded = PassProgress.Run("exact uniformity", parse.GetValue(progress), bar => inputs.Load(parse, stream: true, bar, ctrlC.Token));
            Console.Out.WriteLine(QualityJson.Serialize(loaded.Report));
            return 0;
        }));
        return command;
    }
}
