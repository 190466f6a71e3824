using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Access;

/// <summary>Registers the access step: policy rules, signed links, tokens.</summary>
internal static class AccessServices
{
    public static IServiceCollection AddAccessControl(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton(services => new AccessRules(services.GetRequiredService<IOptions<AccessOptions>>().Value));
        services.AddSingleton<SignedLinkVerifier>();
        services.AddSingleton<TokenVerifier>();
        services.AddSingleton<AccessGate>();
        return services;
    }
}
