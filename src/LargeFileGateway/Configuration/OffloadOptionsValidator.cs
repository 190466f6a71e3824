using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>The annotations of <see cref="OffloadOptions"/> and its rule across sections: offload needs local storage.</summary>
internal sealed class OffloadOptionsValidator(IConfiguration configuration) : IValidateOptions<OffloadOptions>
{
    public ValidateOptionsResult Validate(string? name, OffloadOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(AnnotatedOptionsValidator.Instance.Validate(name, options));

        // nginx can only send what it can open: a file under the folder its internal location aliases. The
        // provider is read from configuration, not from IOptions<StorageOptions>, so that a bad storage section
        // is reported once, by its own validator, rather than again through this one.
        var providerKey = $"{StorageOptions.SectionName}:Provider";
        if (options.Mode == OffloadMode.NginxAccelRedirect
            && configuration[providerKey] is { Length: > 0 } provider
            && !provider.Equals(nameof(StorageProviderKind.Local), StringComparison.OrdinalIgnoreCase))
        {
            result.AddError($"{OffloadOptions.SectionName}:Mode {OffloadMode.NginxAccelRedirect} works only with {providerKey} {StorageProviderKind.Local} (was {provider}).");
        }

        return result.Build();
    }
}
