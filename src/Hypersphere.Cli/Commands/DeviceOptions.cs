using System.CommandLine;

namespace Hypersphere.Cli.Commands;

/// <summary>The libtorch options the training verbs share.</summary>
internal static class DeviceOptions
{
    public static Option<string> Device() => new("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };

    public static Option<int> Threads() => new("--threads") { Description = "libtorch threads (0: libtorch's default)", DefaultValueFactory = _ => 0 };
}
