using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The JwtBearer handler is registered from the configuration as the gateway is built (Access/AccessServices); token
/// settings that reach <see cref="AccessOptions"/> another way (set in code after the build) would have no handler to
/// check them, and every token would fail the request. That is a startup error naming the cause instead.
/// </summary>
internal sealed class TokenHandlerRegistrationValidator(bool handlerRegistered) : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
        => options.Token.IsConfigured && !handlerRegistered
            ? ValidateOptionsResult.Fail(
                $"{AccessOptions.SectionName}:Token was set after the gateway read its configuration (in code, not in settings, "
                + "environment or command line): the token handler is registered from the configuration, so set it there.")
            : ValidateOptionsResult.Success;
}
