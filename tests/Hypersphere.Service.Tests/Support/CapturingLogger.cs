using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hypersphere.Service.Tests.Support;

/// <summary>A logger provider that keeps every entry at or above <paramref name="minimum"/> as text (level, message, exception).</summary>
public sealed class CapturingLogger(LogLevel minimum = LogLevel.Warning) : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Entries.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : "\n" + exception)}");
        }
    }

    public void Dispose()
    {
    }
}
