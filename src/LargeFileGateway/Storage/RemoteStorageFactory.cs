using LargeFileGateway.Configuration;
using LargeFileGateway.Resilience;
using LargeFileGateway.Storage.HttpOrigin;
using LargeFileGateway.Storage.S3;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Storage;

/// <summary>
/// Registers and builds the remote providers, each with its own resilience pipeline and wrapped in the
/// short-lived metadata cache. Program.cs picks one of these by <c>Gateway:Storage:Provider</c>.
/// </summary>
internal static class RemoteStorageFactory
{
    private static readonly System.Net.Http.Headers.ProductInfoHeaderValue UserAgent = new("LargeFileGateway",
        typeof(RemoteStorageFactory).Assembly.GetName().Version?.ToString(3) ?? "1.0.0");

    /// <summary>Registers the options (validated at startup) and the HTTP client the remote providers need.</summary>
    public static IServiceCollection AddRemoteStorage(this IServiceCollection services)
    {
        services.AddOptions<S3StorageOptions>().BindConfiguration(S3StorageOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<S3StorageOptions>, S3StorageOptionsValidator>();
        services.AddOptions<HttpOriginStorageOptions>().BindConfiguration(HttpOriginStorageOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpOriginStorageOptions>, HttpOriginStorageOptionsValidator>();
        services.AddOptions<ResilienceOptions>().BindConfiguration(ResilienceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>();

        // Timeouts belong to the pipeline (per attempt) and to RemoteReadStream (per read), not to HttpClient.
        foreach (var name in (ReadOnlySpan<string>)[HttpOriginStorageProvider.HttpClientName, S3ObjectClient.HttpClientName])
        {
            services.AddHttpClient(name, client =>
                {
                    client.Timeout = Timeout.InfiniteTimeSpan;

                    // Who asked, for the backend's access logs (S3 server access logs, CloudTrail) and its policies.
                    client.DefaultRequestHeaders.UserAgent.Add(UserAgent);
                })
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    // Bytes pass through untouched: no decompression, no redirects to follow (S3's 307 is followed by
                    // S3ObjectClient, signed anew; its 301 is a wrong region, named as such), no cookies to keep.
                    AutomaticDecompression = System.Net.DecompressionMethods.None,
                    AllowAutoRedirect = false,
                    UseCookies = false,

                    // Connections are renewed by age, so that a backend behind DNS (S3's many addresses) is spread
                    // over as it changes; the handler itself is kept, so its pool is not dropped every two minutes
                    // (IHttpClientFactory's default), which would cost new connections (and TLS handshakes) under load.
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                })
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        }

        return services;
    }

    public static IStorageProvider CreateS3(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<S3StorageOptions>>().Value;
        var resilience = services.GetRequiredService<IOptions<ResilienceOptions>>().Value;
        var pipeline = CreatePipeline(services, nameof(StorageProviderKind.S3), resilience, S3StorageProvider.IsTransient);
        var client = S3ClientFactory.Create(options, resilience);
        var clients = services.GetRequiredService<IHttpClientFactory>();
        var clock = services.GetRequiredService<TimeProvider>();
        var provider = new S3StorageProvider(client,
            prefix => new S3ObjectClient(clients, client, options.Bucket!, prefix, options.Region, S3ClientFactory.Credentials(options, client.Config), clock),
            options.Bucket!, options.Prefix, pipeline, resilience.AttemptTimeout, services.GetRequiredService<ILogger<S3StorageProvider>>());
        return WithMetadataCache(services, provider, resilience);
    }

    public static IStorageProvider CreateHttpOrigin(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<HttpOriginStorageOptions>>().Value;
        var resilience = services.GetRequiredService<IOptions<ResilienceOptions>>().Value;
        var pipeline = CreatePipeline(services, nameof(StorageProviderKind.HttpOrigin), resilience, HttpOriginStorageProvider.IsTransient);
        var provider = new HttpOriginStorageProvider(services.GetRequiredService<IHttpClientFactory>(), new Uri(options.BaseUrl!), pipeline,
            resilience.AttemptTimeout, services.GetRequiredService<ILogger<HttpOriginStorageProvider>>());
        return WithMetadataCache(services, provider, resilience);
    }

    /// <summary>Where the remote provider reads from, for the startup log line (never a credential).</summary>
    public static string DescribeLocation(IServiceProvider services, StorageProviderKind kind) => kind switch
    {
        StorageProviderKind.S3 => DescribeS3(services.GetRequiredService<IOptions<S3StorageOptions>>().Value),
        StorageProviderKind.HttpOrigin => services.GetRequiredService<IOptions<HttpOriginStorageOptions>>().Value.BaseUrl ?? "-",
        _ => services.GetRequiredService<IOptions<StorageOptions>>().Value.Root ?? "-",
    };

    private static string DescribeS3(S3StorageOptions options)
        => $"s3://{options.Bucket}/{options.Prefix.Trim('/')} via {(string.IsNullOrEmpty(options.ServiceUrl) ? options.Region : options.ServiceUrl)}";

    private static StoragePipeline CreatePipeline(IServiceProvider services, string name, ResilienceOptions resilience, Func<Exception, bool> isTransient)
        => new(name, resilience, isTransient, services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<TimeProvider>());

    private static IStorageProvider WithMetadataCache(IServiceProvider services, IStorageProvider provider, ResilienceOptions resilience)
        => resilience.MetadataCacheTtl > TimeSpan.Zero
            ? new MetadataCachingStorageProvider(provider, resilience.MetadataCacheTtl, resilience.MetadataCacheMaxEntries, services.GetRequiredService<TimeProvider>())
            : provider;
}
