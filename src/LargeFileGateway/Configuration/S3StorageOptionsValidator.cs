using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Refuses an S3 configuration that cannot work, naming every bad key at once; silent when S3 is not the provider.</summary>
internal sealed class S3StorageOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<S3StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, S3StorageOptions options)
    {
        if (!StorageOptionsValidator.Selects(storage, StorageProviderKind.S3))
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            errors.Add($"{S3StorageOptions.SectionName}:Bucket must name the bucket to serve.");
        }

        if (!string.IsNullOrEmpty(options.ServiceUrl)
            && (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{S3StorageOptions.SectionName}:ServiceUrl must be an absolute http or https URL (was '{options.ServiceUrl}').");
        }

        if (string.IsNullOrWhiteSpace(options.Region))
        {
            errors.Add($"{S3StorageOptions.SectionName}:Region must name a region (any name for most non-AWS services).");
        }

        if (string.IsNullOrEmpty(options.AccessKeyId) != string.IsNullOrEmpty(options.SecretAccessKey))
        {
            errors.Add($"{S3StorageOptions.SectionName}:AccessKeyId and {S3StorageOptions.SectionName}:SecretAccessKey go together: set both, or neither to use the AWS credential chain.");
        }

        if (options.Prefix.Split('/', StringSplitOptions.RemoveEmptyEntries).Any(segment => segment is "." or ".."))
        {
            errors.Add($"{S3StorageOptions.SectionName}:Prefix must not contain '.' or '..' segments (was '{options.Prefix}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
