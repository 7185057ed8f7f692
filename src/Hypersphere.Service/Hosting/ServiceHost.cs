using Hypersphere.Core.Errors;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Hosting;

/// <summary>Running the app.</summary>
public static class ServiceHost
{
    /// <summary>
    /// Runs until shutdown. A setting that fails validation stops the process with one line naming it and
    /// the exit code of <see cref="ErrorKind.BadRequest"/>, instead of a stack trace.
    /// </summary>
    public static int RunOrExplain(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Run();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"hypersphere service: invalid settings: {string.Join("; ", e.Failures)}");
            return ErrorKindMapping.ExitCode(ErrorKind.BadRequest);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's own message names the setting and the type it wants ("… at 'Hypersphere:MaxQueue' to type 'System.Int32'").
            Console.Error.WriteLine($"hypersphere service: invalid settings: {e.Message}");
            return ErrorKindMapping.ExitCode(ErrorKind.BadRequest);
        }
    }
}
