using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Limits;

/// <summary>Registers the connection caps and the slow-client policy (Gateway:Limits).</summary>
internal static class LimitServices
{
    public static IServiceCollection AddConnectionLimits(this IServiceCollection services)
    {
        services.AddOptions<ConnectionLimitsOptions>().BindConfiguration(ConnectionLimitsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConnectionLimitsOptions>, ConnectionLimitsOptionsValidator>();
        services.AddSingleton<ConnectionLimits>();
        services.AddSingleton<SlowClientCuts>();
        services.AddSingleton<ILoggerProvider>(services => services.GetRequiredService<SlowClientCuts>());
        services.Configure<LoggerFilterOptions>(filters => filters.AddFilter<SlowClientCuts>(SlowClientCuts.KestrelCategory, LogLevel.Debug));
        return services;
    }
}
