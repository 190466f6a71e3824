using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The annotations of <see cref="LimitsOptions"/> and its rule across fields: a minimum rate needs a grace
/// period Kestrel accepts (longer than its 1 s heartbeat), checked at start rather than on the first download.
/// </summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(AnnotatedOptionsValidator.Instance.Validate(name, options));
        if (options.MinClientRate > 0 && options.MinClientRateGrace <= LimitsOptions.MinimumGrace)
        {
            result.AddError($"{LimitsOptions.SectionName}:MinClientRateGrace must be longer than {LimitsOptions.MinimumGrace} when {LimitsOptions.SectionName}:MinClientRate is set.");
        }

        return result.Build();
    }
}
