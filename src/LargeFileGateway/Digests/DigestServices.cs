using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using LargeFileGateway.Representations;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Digests;

/// <summary>
/// Registers <c>Gateway:Digests</c> (validated at start). Off: the request flow gets a <see cref="KnownDigests"/> that
/// knows nothing and no worker runs. On: the store, the queue and the background worker.
/// </summary>
internal static class DigestServices
{
    public static IServiceCollection AddDigests(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DigestsOptions>().BindConfiguration(DigestsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DigestsOptions>, DigestsOptionsValidator>();
        var enabled = configuration.GetValue<bool>(DigestsOptions.SectionName + ":" + nameof(DigestsOptions.Enabled));
        if (enabled)
        {
            services.AddSingleton(provider =>
            {
                var options = provider.GetRequiredService<IOptions<DigestsOptions>>().Value;
                return new ContentFactsStore(StoreFolder(options), options.MaxEntries, provider.GetRequiredService<ILogger<ContentFactsStore>>());
            });
            services.AddSingleton(provider => new DigestQueue(provider.GetRequiredService<IOptions<DigestsOptions>>().Value.QueueCapacity));
            services.AddHostedService<DigestWorker>();
        }

        services.AddSingleton(provider => new KnownDigests(
            enabled ? provider.GetRequiredService<ContentFactsStore>() : null,
            enabled ? provider.GetRequiredService<DigestQueue>() : null,
            provider.GetRequiredService<GatewayMetrics>(),
            provider.GetRequiredService<ILogger<KnownDigests>>()));
        services.AddSingleton(provider => new ChecksumFileAnswer(
            provider.GetRequiredService<KnownDigests>(),
            provider.GetRequiredService<StoredFiles>(),
            provider.GetRequiredService<AccessGate>(),
            provider.GetRequiredService<AccessRules>(),
            provider.GetRequiredService<IOptions<DigestsOptions>>().Value.RetryAfter));
        return services;
    }

    /// <summary><c>Gateway:Digests:Store</c>, or the user's local data folder, or (no home) the temp folder.</summary>
    public static string StoreFolder(DigestsOptions options)
    {
        if (options.Store.Length > 0)
        {
            return Path.GetFullPath(options.Store);
        }

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(string.IsNullOrEmpty(data) ? Path.GetTempPath() : data, "LargeFileGateway", "digests");
    }
}
