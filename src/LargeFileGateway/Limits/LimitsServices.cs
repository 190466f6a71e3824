using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Limits;

/// <summary>
/// Registers <c>Gateway:Limits</c> (validated at start): the byte rates of downloads, the connection caps and the
/// slow-client policy.
/// </summary>
internal static class LimitsServices
{
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddSingleton<DownloadRates>();
        services.AddSingleton<ConnectionLimits>();
        services.AddSingleton<SlowClientCuts>();
        services.AddSingleton<WatcherLimits>();
        services.AddSingleton<ILoggerProvider>(services => services.GetRequiredService<SlowClientCuts>());
        services.Configure<LoggerFilterOptions>(filters => filters.AddFilter<SlowClientCuts>(SlowClientCuts.KestrelCategory, LogLevel.Debug));
        return services;
    }
}
