using LargeFileGateway.Configuration;
using LargeFileGateway.Hosting;
using LargeFileGateway.Observability;
using LargeFileGateway.Offload;
using LargeFileGateway.Representations;
using LargeFileGateway.Storage;
using LargeFileGateway.Streaming;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
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
        services.AddSingleton(services =>
        {
            var budget = new FlushBudget(services.GetRequiredService<IOptions<DownloadOptions>>().Value.FastClientFlushBudgetBytes);
            services.GetRequiredService<GatewayMetrics>().ObserveFlushBudget(budget);
            return budget;
        });
        services.AddSingleton(services =>
        {
            var download = services.GetRequiredService<IOptions<DownloadOptions>>().Value;
            // Kestrel's minimum data rate is checked per write: its strictness follows the chunk, so it keeps one size.
            var ratePolicy = services.GetRequiredService<IOptions<LimitsOptions>>().Value.MinClientRate > 0;
            return new ChunkCopier(
                download.ChunkSizeBytes,
                services.GetRequiredService<IOptions<ResilienceOptions>>().Value.MaxResumesPerRange,
                services.GetRequiredService<ILogger<ChunkCopier>>(),
                services.GetRequiredService<GatewayMetrics>(),
                ratePolicy ? download.ChunkSizeBytes : download.SlowClientChunkSizeBytes,
                download.FastClientFlushBytes,
                services.GetRequiredService<FlushBudget>() is { Bytes: > 0 } budget ? budget : null);
        });
        // Kestrel's socket transport holds this much of each response before a flush waits (its default: 64 KiB). Read
        // from configuration, not IOptions: the transport is built with the host, before ValidateOnStart reports every
        // bad key at once, and a bad value here must wait for that report (Kestrel's default stays until then).
        services.AddOptions<SocketTransportOptions>().Configure<IConfiguration>(static (sockets, configuration) =>
        {
            // Parsed as the options binder parses it (" 16384" and "+16384" included); a value it cannot parse is
            // left to ValidateOnStart's report.
            int? configured;
            try
            {
                configured = configuration.GetValue<int?>(DownloadOptions.SectionName + ":" + nameof(DownloadOptions.ResponseWriteBufferBytes));
            }
            catch (InvalidOperationException)
            {
                return;
            }

            if (configured is null)
            {
                // Not with TLS: SslStream writes records of up to 16 KiB, each waiting for the socket once the buffer
                // is full, so a small buffer serialises encryption and sending (4 GiB over HTTPS on loopback: 0.66 x
                // the speed and 1.6 x the CPU per byte with 8 KiB; benchmarks/RESULTS.md). The buffer is one setting
                // for every endpoint, so one TLS endpoint keeps Kestrel's default for all.
                if (!TlsEndpointsConfigured.In(configuration))
                {
                    sockets.MaxWriteBufferSize = new DownloadOptions().ResponseWriteBufferBytes;
                }
            }
            else if (configured >= DownloadOptions.MinChunkSizeBytes)
            {
                sockets.MaxWriteBufferSize = configured;
            }
        });
        services.AddSingleton<NginxAccelRedirect>();
        services.AddSingleton<ResponsePlanner>();
        services.AddSingleton<ResponseHeadersWriter>();
        services.AddSingleton<BodyWriter>();
        services.AddSingleton<StoredFileSource>();
        services.AddSingleton<DownloadHandler>();
        return services;
    }
}
