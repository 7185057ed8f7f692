using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Errors;

/// <summary>An <see cref="ErrorKind.Overloaded"/> failure (429) that knows when to come back: its answer carries <c>Retry-After</c>.</summary>
public sealed class OverloadedException : HypersphereException
{
    /// <summary>Refuses work with <paramref name="detail"/>; the client should retry after <paramref name="retryAfterSeconds"/> (at least 1).</summary>
    public OverloadedException(string detail, int retryAfterSeconds, Exception? inner = null)
        : base(ErrorKind.Overloaded, detail, inner) => RetryAfterSeconds = Math.Max(1, retryAfterSeconds);

    /// <summary>Whole seconds to wait before retrying.</summary>
    public int RetryAfterSeconds { get; }
}
