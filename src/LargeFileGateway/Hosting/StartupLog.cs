using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using LargeFileGateway.Security;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Hosting;

/// <summary>The effective configuration, logged once the gateway listens.</summary>
internal static class StartupLog
{
    public static void Write(IServiceProvider services, bool createdSampleRoot)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Program));
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var download = services.GetRequiredService<IOptions<DownloadOptions>>().Value;
        if (createdSampleRoot)
        {
            Log.SampleFolderCreated(logger, storage.Root!, Storage.Local.SampleFolder.SampleName);
        }

        if (storage.Provider == StorageProviderKind.Local)
        {
            Log.ServingFolder(logger, storage.Root!, download.ChunkSizeBytes);
        }
        else
        {
            var location = RemoteStorageFactory.DescribeLocation(services, storage.Provider);
            var provider = storage.Provider.ToString();
            Log.ServingRemoteStorage(logger, provider, location, download.ChunkSizeBytes);
        }

        var offload = services.GetRequiredService<IOptions<OffloadOptions>>().Value;
        if (offload.Mode == OffloadMode.NginxAccelRedirect)
        {
            Log.OffloadConfigured(logger, offload.InternalPrefix);
        }

        var (proxies, networks) = ForwardedHeadersTrust.Describe(services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value);
        Log.ForwardedHeadersTrusted(logger, proxies, networks);
    }
}
