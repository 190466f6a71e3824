using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The annotations of <see cref="ConnectionLimitsOptions"/> and its rule across fields: a minimum rate needs a grace
/// period Kestrel accepts (longer than its 1 s heartbeat), checked at start rather than on the first download.
/// </summary>
internal sealed class ConnectionLimitsOptionsValidator : IValidateOptions<ConnectionLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionLimitsOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(AnnotatedOptionsValidator.Instance.Validate(name, options));
        if (options.MinClientRate > 0 && options.MinClientRateGrace <= ConnectionLimitsOptions.MinimumGrace)
        {
            result.AddError($"{ConnectionLimitsOptions.SectionName}:MinClientRateGrace must be longer than {ConnectionLimitsOptions.MinimumGrace} when {ConnectionLimitsOptions.SectionName}:MinClientRate is set.");
        }

        return result.Build();
    }
}
