using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using LargeFileGateway.Configuration;

namespace LargeFileGateway.Storage.S3;

/// <summary>Builds the SDK client from <c>Gateway:Storage:S3</c>.</summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(S3StorageOptions options, ResilienceOptions resilience)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,

            // The provider's Polly pipeline owns retries, backoff and the breaker; SDK retries on top would multiply them.
            MaxErrorRetry = 0,

            // SDK 4 defaults to WHEN_SUPPORTED: it would ask for and validate whole-object checksums that ranged
            // reads cannot use (and some S3-compatible servers do not speak). The gateway builds its own headers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,

            // The pipeline's attempt timeout is the real one; this only bounds a call the token cannot reach.
            Timeout = resilience.AttemptTimeout + TimeSpan.FromSeconds(5),
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        // Without keys, the standard AWS chain: environment, profile, web identity, container or instance role.
        return string.IsNullOrEmpty(options.AccessKeyId)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(Credentials(options, config)(), config);
    }

    /// <summary>
    /// The credentials the gateway signs its own requests with (<see cref="S3ObjectClient"/>): the configured keys, or
    /// the chain the SDK client uses, found on first use as the SDK does (a missing credential is a 503 then, not a
    /// failed start).
    /// </summary>
    public static Func<AWSCredentials> Credentials(S3StorageOptions options, IClientConfig config)
        => string.IsNullOrEmpty(options.AccessKeyId)
            ? () => DefaultAWSCredentialsIdentityResolver.GetCredentials(config)
            : () => new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey);
}
