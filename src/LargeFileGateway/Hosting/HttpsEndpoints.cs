using System.Net.Quic;
using System.Net.Security;
using System.Security.Authentication;
using LargeFileGateway.Observability;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace LargeFileGateway.Hosting;

/// <summary>
/// HTTPS straight on Kestrel, configured in Kestrel's own form: <c>Kestrel:Endpoints:NAME:Url</c> with
/// <c>Certificate:Path</c> and <c>Certificate:KeyPath</c> (PEM). Every endpoint speaks TLS 1.2 or 1.3 only and
/// offers HTTP/1.1 and HTTP/2 by ALPN (Kestrel's default <c>Protocols</c>); <c>Protocols: Http1AndHttp2AndHttp3</c>
/// adds HTTP/3 where the machine has libmsquic. The certificates of PEM endpoints are reloaded when their files
/// change (<see cref="ReloadingCertificate"/>).
/// </summary>
internal sealed class HttpsEndpoints : IDisposable
{
    // RFC 8996 deprecates TLS 1.0 and 1.1; RFC 9113 §9.2 requires TLS 1.2 or later for HTTP/2.
    public const SslProtocols AllowedProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly List<ReloadingCertificate> _certificates = [];

    /// <summary>The reloading certificate of each PEM endpoint, by endpoint name.</summary>
    public Dictionary<string, ReloadingCertificate> ByEndpoint { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Applies the TLS rules to every endpoint and takes over the certificates of the PEM ones.</summary>
    public void Configure(KestrelServerOptions kestrel, IConfiguration configuration, IHostEnvironment environment, TimeProvider time, ILogger logger)
    {
        kestrel.ConfigureHttpsDefaults(https => https.SslProtocols = AllowedProtocols);
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().ToList();
        if (endpoints.Count == 0 || kestrel.ConfigurationLoader is not { } loader)
        {
            return;
        }

        foreach (var endpoint in endpoints)
        {
            var certificate = endpoint.GetSection("Certificate");
            if (certificate["Path"] is not { Length: > 0 } path || certificate["KeyPath"] is not { Length: > 0 } keyPath)
            {
                continue;
            }

            // Relative paths are relative to the content root, as Kestrel resolves them.
            var reloading = new ReloadingCertificate(
                Path.GetFullPath(path, environment.ContentRootPath), Path.GetFullPath(keyPath, environment.ContentRootPath), time, logger);
            _certificates.Add(reloading);
            ByEndpoint[endpoint.Key] = reloading;
            loader.Endpoint(endpoint.Key, configured => UseReloadingCertificate(configured, reloading));
            var url = endpoint["Url"] ?? "?";
            var thumbprint = reloading.Thumbprint;
            var http3 = Http3Asked(endpoint);
            var quic = QuicIsSupported();
            Log.HttpsEndpointConfigured(logger, endpoint.Key, url, thumbprint, http3 && quic);
            if (http3 && !quic)
            {
                Log.Http3Unavailable(logger, endpoint.Key);
            }
        }
    }

    public void Dispose()
    {
        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }
    }

    private static void UseReloadingCertificate(EndpointConfiguration endpoint, ReloadingCertificate certificate)
    {
        // TLS set up here (the loader then skips its own, which holds the certificate it loaded at start):
        // each handshake takes the current certificate, with the chain, protocols and the loader's timeout.
        var handshakeTimeout = endpoint.HttpsOptions.HandshakeTimeout;
        endpoint.ListenOptions.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = handshakeTimeout,
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate.Current,
                EnabledSslProtocols = AllowedProtocols,
            }),
        });
    }

    private static bool Http3Asked(IConfigurationSection endpoint)
        => endpoint["Protocols"] is { } protocols && protocols.Contains("Http3", StringComparison.OrdinalIgnoreCase);

    private static bool QuicIsSupported() => (OperatingSystem.IsLinux() || OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()) && QuicListener.IsSupported;
}
