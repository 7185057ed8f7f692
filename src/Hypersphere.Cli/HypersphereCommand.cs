using System.CommandLine;
using Hypersphere.Cli.Commands;

namespace Hypersphere.Cli;

/// <summary>The <c>hypersphere</c> root command: composes the verbs, nothing else.</summary>
internal static class HypersphereCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Hypersphere: representation learning on the unit hypersphere (Wang & Isola, ICML 2020).");
        root.Subcommands.Add(QualityCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
