using System.Buffers;
using System.Text;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Refuses an offload configuration nginx could not follow, naming every bad key at once.</summary>
internal sealed class OffloadOptionsValidator(IConfiguration configuration) : IValidateOptions<OffloadOptions>
{
    // nginx cuts an X-Accel-Redirect URI at '?' (arguments), and decodes '%'; '#' and whitespace have no place in
    // a location prefix either.
    private static readonly SearchValues<char> Forbidden = SearchValues.Create("?#% \\");

    public ValidateOptionsResult Validate(string? name, OffloadOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"{OffloadOptions.SectionName}:Mode must be one of {string.Join(", ", Enum.GetNames<OffloadMode>())}.");
        }

        var prefix = options.InternalPrefix;
        if (prefix.Length < 3 || prefix[0] != '/' || prefix[^1] != '/' || prefix.Contains("//", StringComparison.Ordinal)
            || prefix.Contains("/../", StringComparison.Ordinal) || prefix.AsSpan().IndexOfAny(Forbidden) >= 0
            || !Ascii.IsValid(prefix) || prefix.AsSpan().ContainsAnyInRange('\0', '\u001f'))
        {
            errors.Add($"{OffloadOptions.SectionName}:InternalPrefix must be an ASCII path that starts and ends with '/', like /_protected/ (was '{prefix}').");
        }

        // nginx can only send what it can open: a file under the folder its internal location aliases. The
        // provider is read from configuration, not from IOptions<StorageOptions>, so that a bad storage section
        // is reported once, by its own validator, rather than again through this one.
        var providerKey = $"{StorageOptions.SectionName}:Provider";
        if (options.Mode == OffloadMode.NginxAccelRedirect
            && configuration[providerKey] is { Length: > 0 } provider
            && !provider.Equals(nameof(StorageProviderKind.Local), StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{OffloadOptions.SectionName}:Mode {OffloadMode.NginxAccelRedirect} works only with {providerKey} {StorageProviderKind.Local} (was {provider}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
