using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>The annotations of <see cref="CrossOriginOptions"/> and their one rule across fields.</summary>
internal sealed class CrossOriginOptionsValidator : IValidateOptions<CrossOriginOptions>
{
    public ValidateOptionsResult Validate(string? name, CrossOriginOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(AnnotatedOptionsValidator.Instance.Validate(name, options));
        if (options.AllowCredentials && options.Origins.Contains("*"))
        {
            // The Fetch standard refuses credentials with a wildcard origin; the framework would echo any origin instead.
            result.AddError($"{CrossOriginOptions.SectionName}:AllowCredentials cannot be true with the origin '*': name the origins.");
        }

        return result.Build();
    }
}
