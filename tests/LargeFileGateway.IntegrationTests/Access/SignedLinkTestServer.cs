using LargeFileGateway.Access;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>
/// A gateway whose <c>private/</c> folder needs a signed link, on a clock the test moves, with storage calls counted.
/// </summary>
internal static class SignedLinkTestServer
{
    public static readonly byte[] Secret = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    public static readonly byte[] OldSecret = [.. Enumerable.Range(50, 32).Select(i => (byte)i)];

    public static string[] AccessArguments =>
    [
        "--Gateway:Access:Rules:0:Prefix=private/", "--Gateway:Access:Rules:0:Policy=Signed",
        $"--Gateway:Access:Keys:k1={Convert.ToBase64String(Secret)}", $"--Gateway:Access:Keys:k0={Convert.ToBase64String(OldSecret)}",
    ];

    public static LinkSigner Signer { get; } = new("k1", Secret);

    /// <summary>Starts the gateway on <paramref name="root"/>; <paramref name="countStorage"/> wraps storage in a counter (which hides its optional abilities).</summary>
    public static Task<GatewayServer> StartAsync(string root, FakeTimeProvider time, CountingStorage? countStorage, params string[] extraArgs)
        => GatewayServer.StartWithServicesAsync(root, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            if (countStorage is not null)
            {
                var original = services.Last(d => d.ServiceType == typeof(IStorageProvider));
                services.Replace(ServiceDescriptor.Singleton<IStorageProvider>(provider => countStorage.Wrap((IStorageProvider)original.ImplementationFactory!(provider))));
            }
        }, null, [.. AccessArguments, .. extraArgs]);
}
