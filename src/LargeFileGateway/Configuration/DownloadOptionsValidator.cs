using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Refuses a download configuration the gateway cannot honour, naming every bad key at once.</summary>
internal sealed class DownloadOptionsValidator : IValidateOptions<DownloadOptions>
{
    public ValidateOptionsResult Validate(string? name, DownloadOptions options)
    {
        var errors = new List<string>();
        if (options.ChunkSizeBytes is < DownloadOptions.MinChunkSizeBytes or > DownloadOptions.MaxChunkSizeBytes)
        {
            errors.Add($"{DownloadOptions.SectionName}:ChunkSizeBytes must be between {DownloadOptions.MinChunkSizeBytes} and {DownloadOptions.MaxChunkSizeBytes} (was {options.ChunkSizeBytes}).");
        }

        if (options.MaxRanges is < 1 or > 1000)
        {
            errors.Add($"{DownloadOptions.SectionName}:MaxRanges must be between 1 and 1000 (was {options.MaxRanges}).");
        }

        if (options.CacheControl.AsSpan().ContainsAnyInRange('\0', '\u001f'))
        {
            errors.Add($"{DownloadOptions.SectionName}:CacheControl must not contain control characters.");
        }

        foreach (var (extension, mediaType) in options.ContentTypes)
        {
            if (!extension.StartsWith('.') || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(mediaType, out _))
            {
                errors.Add($"{DownloadOptions.SectionName}:ContentTypes:{extension} must map an extension starting with '.' to a valid media type (was '{mediaType}').");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
