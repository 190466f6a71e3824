using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Limits;

/// <summary>Registers <c>Gateway:Limits</c> (validated at start) and the byte rates of downloads.</summary>
internal static class LimitsServices
{
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddSingleton<DownloadRates>();
        return services;
    }
}
