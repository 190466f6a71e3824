using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>The annotations of <see cref="StorageOptions"/> and its rule across fields: the local provider needs an existing root.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        var annotations = AnnotatedOptionsValidator.Instance.Validate(name, options);
        if (annotations.Failed)
        {
            errors.AddRange(annotations.Failures);
        }

        if (options.Provider == StorageProviderKind.Local)
        {
            if (string.IsNullOrWhiteSpace(options.Root))
            {
                errors.Add($"{StorageOptions.SectionName}:Root must name a folder (or pass --root DIR).");
            }
            else if (!Directory.Exists(options.Root))
            {
                errors.Add($"{StorageOptions.SectionName}:Root '{options.Root}' does not exist or is not a folder.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Whether <paramref name="kind"/> is the configured provider, for the validators of provider sections. When the
    /// storage section itself is invalid its own errors are reported once, so the provider sections stay silent.
    /// </summary>
    public static bool Selects(IOptions<StorageOptions> storage, StorageProviderKind kind)
    {
        try
        {
            return storage.Value.Provider == kind;
        }
        catch (OptionsValidationException)
        {
            return false;
        }
    }
}
