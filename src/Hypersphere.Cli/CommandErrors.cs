using Hypersphere.Core.Errors;

namespace Hypersphere.Cli;

/// <summary>Runs a verb's body and turns expected failures into one stderr line and the kind's exit code.</summary>
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
