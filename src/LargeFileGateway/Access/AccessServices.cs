using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Access;

/// <summary>Registers the access step: policy rules, signed links, tokens.</summary>
internal static class AccessServices
{
    public static IServiceCollection AddAccessControl(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, TokenAccessOptionsValidator>();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton(services => new AccessRules(services.GetRequiredService<IOptions<AccessOptions>>().Value));
        services.AddSingleton<SignedLinkVerifier>();
        services.AddSingleton<TokenVerifier>();

        // The framework's JwtBearer handler validates tokens; the access step calls it only for keys whose policy
        // accepts tokens (no authentication middleware runs for every request).
        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AccessOptions>>((jwt, access) => TokenValidation.Configure(jwt, access.Value.Token));
        services.AddSingleton<AccessGate>();
        return services;
    }
}
