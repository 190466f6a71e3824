using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Refuses an HTTP-origin configuration that cannot work; silent when HttpOrigin is not the provider.</summary>
internal sealed class HttpOriginStorageOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<HttpOriginStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOriginStorageOptions options)
    {
        if (!StorageOptionsValidator.Selects(storage, StorageProviderKind.HttpOrigin))
        {
            return ValidateOptionsResult.Success;
        }

        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            return ValidateOptionsResult.Fail(
                $"{HttpOriginStorageOptions.SectionName}:BaseUrl must be an absolute http or https URL without query or fragment (was '{options.BaseUrl}').");
        }

        return ValidateOptionsResult.Success;
    }
}
