using LargeFileGateway.Access;
using LargeFileGateway.Archives;
using LargeFileGateway.Configuration;
using LargeFileGateway.Digests;
using LargeFileGateway.Downloads;
using LargeFileGateway.Hosting;
using LargeFileGateway.Limits;
using LargeFileGateway.Listing;
using LargeFileGateway.Observability;
using LargeFileGateway.Progress;
using LargeFileGateway.Security;
using LargeFileGateway.Storage;
using LargeFileGateway.Storage.Local;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace LargeFileGateway;

/// <summary>The composition root: configuration, services and endpoints. No logic lives here.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (SignCommand.IsInvoked(args))
        {
            return SignCommand.Run(args[1..], Console.Out, Console.Error, TimeProvider.System);
        }

        var app = CreateApp(args);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the gateway; tests and benchmarks call this with <c>--urls http://127.0.0.1:0</c>.</summary>
    public static WebApplication CreateApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddGatewayLayers(args);
        var createdSampleRoot = SampleRoot.UseWhenNoneConfigured(builder.Configuration);
        DefaultListenAddress.UseWhenNoneConfigured(builder.WebHost, builder.Configuration);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Lets Kestrel:Limits:* (MaxResponseBufferSize, MaxConcurrentConnections, ...) be set in configuration;
        // the host binds only endpoints and certificates from that section by itself.
        builder.Services.Configure<KestrelServerOptions>(kestrel => builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddGracefulDrain();
        builder.Services.AddHttpsEndpoints(builder.Configuration);

        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddOptions<DownloadOptions>().BindConfiguration(DownloadOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DownloadOptions>, DownloadOptionsValidator>();
        builder.Services.AddOptions<OffloadOptions>().BindConfiguration(OffloadOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OffloadOptions>, OffloadOptionsValidator>();
        builder.Services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>(ForwardedHeadersTrust.Configure);

        builder.Services.AddRemoteStorage();
        builder.Services.AddLocalStorage();

        builder.Services.AddSingleton<IStorageProvider>(services => services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider switch
        {
            StorageProviderKind.S3 => RemoteStorageFactory.CreateS3(services),
            StorageProviderKind.HttpOrigin => RemoteStorageFactory.CreateHttpOrigin(services),
            _ => LocalStorage.Create(services),
        });
        builder.Services.AddAccessControl(builder.Configuration);
        builder.Services.AddCrossOrigin();
        builder.Services.AddLimits();
        builder.Services.AddDownloads();
        builder.Services.AddListing();
        builder.Services.AddDigests(builder.Configuration);
        builder.Services.AddArchives();
        builder.Services.AddTransferProgress();
        builder.AddObservability();

        var app = builder.Build();
        app.UseInFlightRequests();
        app.UseObservability();
        // The framework's handler answers what nobody expected with problem details and logs it once.
        app.UseExceptionHandler();
        app.UseForwardedRequests();
        app.UseCrossOrigin();
        app.UseStatusCodePages();
        // The handler is a singleton taken from the root provider once, not a parameter: a service parameter is
        // resolved from RequestServices, which creates (and at the end disposes) a DI scope for every request, and
        // nothing else on a download's way asks for one (benchmarks/RESULTS.md tuning item 21).
        DownloadHandler? downloads = null;
        app.Map("/files/{**key}", (HttpContext context, string? key)
            => (downloads ??= app.Services.GetRequiredService<DownloadHandler>()).HandleAsync(context, key));
        app.MapArchives();
        app.MapTransferProgress();
        app.MapHomePage();
        app.Lifetime.ApplicationStarted.Register(() => StartupLog.Write(app.Services, createdSampleRoot));
        return app;
    }
}
