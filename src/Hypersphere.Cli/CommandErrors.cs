using Hypersphere.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Cli;

/// <summary>
/// Runs a verb's body and turns expected failures into one stderr line and the kind's exit code. The input's faults
/// (2 malformed, 3 invalid values, 4 too large, 5 not found, 9 corrupt) keep apart from the machine's: a run that failed
/// on the device or in ONNX Runtime, or CUDA asked for where it cannot load, is <see cref="ErrorKind.NotReady"/> (8),
/// so a script can tell "fix the input" from "retry, or run elsewhere" (README, "Exit codes").
/// </summary>
internal static class CommandErrors
{
    /// <summary>Exit code of a verb cancelled by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("error: cancelled; nothing was written");
            return Cancelled;
        }
        catch (HypersphereException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return ErrorKindMapping.ExitCode(e.Kind);
        }
        catch (OnnxRuntimeException e)
        {
            // Runs are classified where they fail (RunFailures); one that escapes that is ONNX Runtime's, not the input's.
            Console.Error.WriteLine($"error: ONNX Runtime failed: {OneLine(e.Message)}");
            return ErrorKindMapping.ExitCode(ErrorKind.NotReady);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return ErrorKindMapping.ExitCode(ErrorKind.NotFound);
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return ErrorKindMapping.ExitCode(ErrorKind.Unauthorized);
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
