using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests.Support;

/// <summary>Where a test's real Kestrel listens.</summary>
public static class KestrelAddress
{
    /// <summary>The one address the server bound (e.g. <c>http://127.0.0.1:41234</c>, no trailing slash).</summary>
    public static string ListeningAddress(this IServiceProvider services) =>
        services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
}
