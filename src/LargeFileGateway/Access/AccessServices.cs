using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Access;

/// <summary>Registers the access step: policy rules, signed links, tokens.</summary>
internal static class AccessServices
{
    private const string SuppressAutoDefaultScheme = "Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme";

    public static IServiceCollection AddAccessControl(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, TokenAccessOptionsValidator>();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton(services => new AccessRules(services.GetRequiredService<IOptions<AccessOptions>>().Value));
        services.AddSingleton<SignedLinkVerifier>();
        services.AddSingleton<TokenVerifier>();
        services.AddSingleton<AccessGate>();

        // The framework's JwtBearer handler validates tokens, and only a gateway configured to take tokens registers
        // it. WebApplication puts the authentication middleware in front of every request once authentication is
        // registered at all; with nothing for it to do, it still made a DI scope and the scheme look-ups for every
        // download (benchmarks/RESULTS.md tuning item 21). Access options are read once at start (IOptions), so what
        // the configuration says here is what the access step will see.
        var takesTokens = configuration.GetSection(AccessOptions.SectionName).GetSection(nameof(AccessOptions.Token)).Get<TokenAccessOptions>() is { IsConfigured: true };
        services.AddSingleton<IValidateOptions<AccessOptions>>(new TokenHandlerRegistrationValidator(takesTokens));
        if (!takesTokens)
        {
            return services;
        }

        // The access step calls the handler only for keys whose policy accepts tokens. A lone scheme becomes the
        // default the authentication middleware authenticates with, so every download ran the JwtBearer handler
        // before the access step (2.6 % of the server's CPU on random ranges, benchmarks/RESULTS.md tuning item 18).
        // With no default scheme that middleware finds nothing to do. The framework offers this only as a
        // process-wide switch (AuthenticationOptions reads it when it is first asked), set here rather than in the
        // project so that every host of the gateway, the tests' included, gets it.
        AppContext.SetSwitch(SuppressAutoDefaultScheme, true);
        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AccessOptions>>((jwt, access) => TokenValidation.Configure(jwt, access.Value.Token));
        return services;
    }
}
