using System.Collections;
using System.Text.RegularExpressions;

namespace Hypersphere.Deployment.Tests.Docker;

/// <summary>
/// Replays the Dockerfile's SDK stages on this machine, instruction by instruction: WORKDIR, ENV, COPY from the
/// build context (as .dockerignore filters it) and RUN through /bin/sh, with the container folders /src, /out and
/// /context mapped into a temp folder. Only stages built on the .NET SDK image (or on such a stage) can be
/// replayed; a RUN naming any other absolute path is refused, so the Dockerfile's SDK steps stay replayable.
/// A stage built on another gets a hard-linked copy of it, so its RUN lines may add and remove files but must not
/// rewrite its parent's in place (dotnet restore/publish write new obj/ and output folders; rm only unlinks).
/// </summary>
public sealed partial class StageReplay(Dockerfile dockerfile, DockerIgnore ignore, string root)
{
    private static readonly string[] MappedRoots = ["/src", "/out", "/context"];
    private readonly Dictionary<string, (string FileSystem, Dictionary<string, string> Environment, string WorkingDirectory)> _done = new(StringComparer.Ordinal);

    /// <summary>The SDK image the build stages must use.</summary>
    public const string SdkImage = "mcr.microsoft.com/dotnet/sdk:";

    /// <summary>Replays <paramref name="stageName"/> (and the stages it builds on); returns the stage's file-system root.</summary>
    public string Run(string stageName, TimeSpan timeout)
    {
        if (_done.TryGetValue(stageName, out var done))
        {
            return done.FileSystem;
        }

        var stage = dockerfile[stageName];
        var fileSystem = Path.Combine(root, stageName);
        Dictionary<string, string> environment;
        var workingDirectory = "/";
        if (dockerfile.Stages.Any(s => s.Name == stage.Base))
        {
            var parent = Run(stage.Base, timeout);
            var copy = Processes.Run("cp", ["-al", parent, fileSystem], root, TimeSpan.FromMinutes(2));
            Assert.True(copy.ExitCode == 0, copy.Output);
            environment = new Dictionary<string, string>(_done[stage.Base].Environment, StringComparer.Ordinal);
            workingDirectory = _done[stage.Base].WorkingDirectory;
        }
        else if (stage.Base.StartsWith(SdkImage, StringComparison.Ordinal))
        {
            Directory.CreateDirectory(fileSystem);
            environment = new Dictionary<string, string>(StringComparer.Ordinal);
        }
        else
        {
            throw new InvalidOperationException($"stage {stageName} is built on {stage.Base}, not on the SDK image: it cannot be replayed here");
        }

        foreach (var instruction in stage.Instructions)
        {
            switch (instruction.Keyword)
            {
                case "WORKDIR":
                    workingDirectory = instruction.Arguments;
                    Directory.CreateDirectory(Map(fileSystem, workingDirectory, instruction));
                    break;
                case "ENV":
                    foreach (var (key, value) in new Stage(stageName, stage.Base, [instruction]).Environment())
                    {
                        environment[key] = value;
                    }

                    break;
                case "COPY":
                    Copy(CopyInstruction.Parse(instruction), fileSystem, workingDirectory);
                    break;
                case "RUN":
                    Execute(instruction, fileSystem, workingDirectory, environment, timeout);
                    break;
                default:
                    throw new InvalidOperationException($"Dockerfile:{instruction.Line}: {instruction.Keyword} in an SDK stage is not replayed by these checks");
            }
        }

        _done[stageName] = (fileSystem, environment, workingDirectory);
        return fileSystem;
    }

    /// <summary>The host path of a container path in a replayed stage.</summary>
    public static string Map(string fileSystem, string containerPath, Instruction instruction)
    {
        var root = MappedRoots.FirstOrDefault(r => containerPath == r || containerPath.StartsWith(r + "/", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Dockerfile:{instruction.Line}: {containerPath} is outside {string.Join(", ", MappedRoots)}, which the replay maps");
        return fileSystem + containerPath;
    }

    private void Copy(CopyInstruction copy, string fileSystem, string workingDirectory)
    {
        if (copy.From is not null)
        {
            throw new InvalidOperationException($"Dockerfile:{copy.Line}: COPY --from in an SDK stage is not replayed");
        }

        var destination = copy.Destination.StartsWith('/') ? copy.Destination : $"{workingDirectory.TrimEnd('/')}/{copy.Destination}";
        var target = Map(fileSystem, destination.TrimEnd('/') is { Length: > 0 } d ? d : "/", new Instruction("COPY", string.Empty, copy.Line));
        foreach (var source in copy.Sources)
        {
            var relative = source.TrimEnd('/') is "." or "" ? string.Empty : source.TrimEnd('/');
            var host = Path.Combine(Repository.Root, relative);
            if (Directory.Exists(host))
            {
                foreach (var file in ignore.ContextFiles(relative))
                {
                    var below = relative.Length == 0 ? file : file[(relative.Length + 1)..];
                    CopyFile(Path.Combine(Repository.Root, file), Path.Combine(target, below));
                }
            }
            else if (File.Exists(host) && ignore.Keeps(relative))
            {
                var into = copy.Destination.EndsWith('/') || copy.Sources.Count > 1 ? Path.Combine(target, Path.GetFileName(relative)) : target;
                CopyFile(host, into);
            }
            else
            {
                throw new Xunit.Sdk.XunitException($"Dockerfile:{copy.Line}: COPY {source}: not in the build context (missing, or left out by .dockerignore)");
            }
        }
    }

    private static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    private static void Execute(Instruction instruction, string fileSystem, string workingDirectory, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var command = instruction.Arguments;
        foreach (Match path in AbsolutePath().Matches(command))
        {
            Map(fileSystem, path.Value, instruction); // refuses paths outside the mapped roots
        }

        var mapped = AbsolutePath().Replace(command, m => fileSystem + m.Value);
        var childEnvironment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            // The test host's MSBuild and VSTest variables would steer the nested dotnet commands.
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                childEnvironment[name] = null;
            }
        }

        foreach (var (key, value) in environment)
        {
            childEnvironment[key] = value;
        }

        var result = Processes.Run("/bin/sh", ["-c", mapped], Map(fileSystem, workingDirectory, instruction), timeout, childEnvironment);
        if (result.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"Dockerfile:{instruction.Line}: RUN {command}\nexited {result.ExitCode}:\n{result.Output}");
        }
    }

    // An absolute path in a shell command: a slash not preceded by a path or word character.
    [GeneratedRegex(@"(?<![\w.\-/:$])/[A-Za-z0-9_.\-/*]+")]
    private static partial Regex AbsolutePath();
}
