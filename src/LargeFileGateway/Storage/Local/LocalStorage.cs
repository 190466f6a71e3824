using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Storage.Local;

/// <summary>Registers and builds the local provider: its options (<c>Gateway:Storage:Local</c>) and its I/O scheduler.</summary>
internal static class LocalStorage
{
    public static IServiceCollection AddLocalStorage(this IServiceCollection services)
    {
        services.AddOptions<LocalStorageOptions>().BindConfiguration(LocalStorageOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LocalStorageOptions>, LocalStorageOptionsValidator>();

        // One scheduler per process: its thread bound is for the whole instance. Tests reach it to replace its reads.
        services.AddSingleton(provider => new LocalReadScheduler(
            provider.GetRequiredService<IOptions<LocalStorageOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<LocalReadScheduler>>()));
        return services;
    }

    public static LocalFileStorageProvider Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LocalStorageOptions>>().Value;
        var openFiles = options.OpenFileCacheMaxFiles > 0
            ? new OpenFileCache(options.OpenFileCacheMaxFiles, options.OpenFileCacheIdleTimeout, services.GetRequiredService<TimeProvider>())
            : null;
        return new(
            services.GetRequiredService<IOptions<StorageOptions>>().Value.Root!,
            services.GetRequiredService<LocalReadScheduler>(),
            services.GetRequiredService<ILogger<LocalFileStorageProvider>>(),
            openFiles);
    }
}
