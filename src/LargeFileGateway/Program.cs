using LargeFileGateway.Configuration;
using LargeFileGateway.Downloads;
using LargeFileGateway.Observability;
using LargeFileGateway.Offload;
using LargeFileGateway.Progress;
using LargeFileGateway.Security;
using LargeFileGateway.Storage;
using LargeFileGateway.Storage.Local;
using LargeFileGateway.Streaming;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Options;

namespace LargeFileGateway;

/// <summary>The composition root: configuration, services and endpoints. No logic lives here.</summary>
public static class Program
{
    private const string ConfigFileKey = "config";

    /// <summary>Command-line shorthands for configuration keys.</summary>
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--root"] = $"{StorageOptions.SectionName}:Root",
        ["--offload"] = $"{OffloadOptions.SectionName}:Mode",
    };

    public static async Task Main(string[] args)
    {
        var app = CreateApp(args);
        await app.RunAsync();
    }

    /// <summary>Builds the gateway; tests and benchmarks call this with <c>--urls http://127.0.0.1:0</c>.</summary>
    public static WebApplication CreateApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);

        // --config FILE layers one of the samples in config/ (or any JSON file) under the environment and command line.
        if (builder.Configuration[ConfigFileKey] is { Length: > 0 } configFile)
        {
            var fullPath = Path.GetFullPath(configFile);
            var folder = new PhysicalFileProvider(Path.GetDirectoryName(fullPath)!, ExclusionFilters.None);
            builder.Configuration.AddJsonFile(folder, Path.GetFileName(fullPath), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables().AddCommandLine(args, SwitchMappings);
        var createdSampleRoot = UseSampleRootWhenNoneConfigured(builder.Configuration);

        // "Gateway:Offload = None | NginxAccelRedirect" is the documented short form of Gateway:Offload:Mode.
        if (builder.Configuration[OffloadOptions.SectionName] is { Length: > 0 } offloadMode && builder.Configuration[$"{OffloadOptions.SectionName}:Mode"] is null)
        {
            builder.Configuration[$"{OffloadOptions.SectionName}:Mode"] = offloadMode;
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Lets Kestrel:Limits:* (MaxResponseBufferSize, MaxConcurrentConnections, ...) be set in configuration;
        // the host binds only endpoints and certificates from that section by itself.
        builder.Services.Configure<KestrelServerOptions>(kestrel => builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GatewayMetrics>();

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
        builder.Services.AddSingleton(services => new ChunkCopier(
            services.GetRequiredService<IStorageProvider>(),
            services.GetRequiredService<IOptions<DownloadOptions>>().Value.ChunkSizeBytes,
            services.GetRequiredService<IOptions<ResilienceOptions>>().Value.MaxResumesPerRange,
            services.GetRequiredService<ILogger<ChunkCopier>>(),
            services.GetRequiredService<GatewayMetrics>()));
        builder.Services.AddSingleton(services => new ContentTypeMap(services.GetRequiredService<IOptions<DownloadOptions>>().Value));
        builder.Services.AddSingleton<NginxAccelRedirect>();
        builder.Services.AddSingleton<DownloadHandler>();
        builder.Services.AddTransferProgress();

        var app = builder.Build();
        app.UseForwardedHeaders();
        app.UseStatusCodePages();
        app.Map("/files/{**key}", (HttpContext context, string? key, DownloadHandler handler) => handler.HandleAsync(context, key));
        app.MapTransferProgress();
        app.Lifetime.ApplicationStarted.Register(() => LogStartup(app, createdSampleRoot));
        return app;
    }

    private static bool UseSampleRootWhenNoneConfigured(ConfigurationManager configuration)
    {
        var rootKey = $"{StorageOptions.SectionName}:Root";
        var provider = configuration[$"{StorageOptions.SectionName}:Provider"];
        if (!string.IsNullOrWhiteSpace(configuration[rootKey])
            || (provider is not null && !provider.Equals(nameof(StorageProviderKind.Local), StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var root = Path.GetFullPath(SampleFolder.DefaultRoot);
        configuration[rootKey] = root;
        return SampleFolder.EnsureCreated(root);
    }

    private static void LogStartup(WebApplication app, bool createdSampleRoot)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Program));
        var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var download = app.Services.GetRequiredService<IOptions<DownloadOptions>>().Value;
        if (createdSampleRoot)
        {
            Log.SampleFolderCreated(logger, storage.Root!, SampleFolder.SampleName);
        }

        if (storage.Provider == StorageProviderKind.Local)
        {
            Log.ServingFolder(logger, storage.Root!, download.ChunkSizeBytes);
        }
        else
        {
            var location = RemoteStorageFactory.DescribeLocation(app.Services, storage.Provider);
            var provider = storage.Provider.ToString();
            Log.ServingRemoteStorage(logger, provider, location, download.ChunkSizeBytes);
        }
        var offload = app.Services.GetRequiredService<IOptions<OffloadOptions>>().Value;
        if (offload.Mode == OffloadMode.NginxAccelRedirect)
        {
            Log.OffloadConfigured(logger, offload.InternalPrefix);
        }

        var (proxies, networks) = ForwardedHeadersTrust.Describe(app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value);
        Log.ForwardedHeadersTrusted(logger, proxies, networks);
    }
}
