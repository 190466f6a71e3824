using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LargeFileGateway.Hosting;

/// <summary>Registers <see cref="HttpsEndpoints"/>: TLS rules for every endpoint, reloading certificates for the PEM ones.</summary>
internal static class HttpsServices
{
    public static IServiceCollection AddHttpsEndpoints(this IServiceCollection services, IConfiguration configuration)
    {
        // Kestrel's own watching of certificate files rebinds the endpoint when one changes, which aborts its
        // connections after 5 s, long downloads included; ReloadingCertificate swaps the certificate for new
        // handshakes instead. Set here rather than in the project file so that every host of the gateway gets it.
        AppContext.SetSwitch("Microsoft.AspNetCore.Server.Kestrel.DisableCertificateFileWatching", true);
        services.AddSingleton<HttpsEndpoints>();
        // Runs after the host's own Kestrel setup, which has read Kestrel:Endpoints into the configuration loader.
        services.AddOptions<KestrelServerOptions>().Configure<HttpsEndpoints, IHostEnvironment, TimeProvider, ILoggerFactory>(
            (kestrel, https, environment, time, loggers) => https.Configure(kestrel, configuration, environment, time, loggers.CreateLogger<HttpsEndpoints>()));
        return services;
    }
}
