using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using LargeFileGateway.Offload;
using LargeFileGateway.Representations;
using LargeFileGateway.Storage;
using LargeFileGateway.Streaming;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Downloads;

/// <summary>Registers the download request flow: representation lookup, planner, header and body writers.</summary>
internal static class DownloadServices
{
    public static IServiceCollection AddDownloads(this IServiceCollection services)
    {
        services.AddSingleton(services => new ContentTypeMap(services.GetRequiredService<IOptions<DownloadOptions>>().Value));
        services.AddSingleton(services => new StoredFiles(
            services.GetRequiredService<IStorageProvider>(),
            services.GetRequiredService<ContentTypeMap>(),
            storesLocalFiles: services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProviderKind.Local));
        services.AddSingleton(services => new ChunkCopier(
            services.GetRequiredService<IOptions<DownloadOptions>>().Value.ChunkSizeBytes,
            services.GetRequiredService<IOptions<ResilienceOptions>>().Value.MaxResumesPerRange,
            services.GetRequiredService<ILogger<ChunkCopier>>(),
            services.GetRequiredService<GatewayMetrics>()));
        services.AddSingleton<NginxAccelRedirect>();
        services.AddSingleton<ResponsePlanner>();
        services.AddSingleton<ResponseHeadersWriter>();
        services.AddSingleton<BodyWriter>();
        services.AddSingleton<StoredFileSource>();
        services.AddSingleton<DownloadHandler>();
        return services;
    }
}
