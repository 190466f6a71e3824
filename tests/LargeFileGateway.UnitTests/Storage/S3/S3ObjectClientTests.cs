using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using LargeFileGateway.Storage.S3;

namespace LargeFileGateway.UnitTests.Storage.S3;

/// <summary>
/// How the gateway signs for a bucket is what the SDK's endpoint rules say for it (no request is sent): an access
/// point signs with its own region, Object Lambda with its own service name, and the schemes the gateway does not
/// speak are named rather than signed wrongly.
/// </summary>
public sealed class S3ObjectClientTests
{
    [Theory]
    [InlineData("downloads", "eu-west-1", "s3", null)]
    [InlineData("arn:aws:s3:eu-west-1:123456789012:accesspoint/files", "eu-west-1", "s3", null)]
    [InlineData("arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/files", "us-east-1", "s3-object-lambda", null)]
    [InlineData("files--use1-az4--x-s3", "us-east-1", "s3express", "sigv4-s3express")]
    public void Constructor_AwsBucket_SignsAsTheEndpointRulesSay(string bucket, string region, string service, string? unsupported)
    {
        var clientRegion = bucket.StartsWith("arn:", StringComparison.Ordinal) || bucket.EndsWith("--x-s3", StringComparison.Ordinal) ? RegionEndpoint.USEast1 : RegionEndpoint.EUWest1;
        using var sdk = new AmazonS3Client(new BasicAWSCredentials("a", "b"), new AmazonS3Config { RegionEndpoint = clientRegion });

        var client = new S3ObjectClient(new NoClients(), sdk, bucket, string.Empty, clientRegion.SystemName, () => new BasicAWSCredentials("a", "b"), TimeProvider.System);

        Assert.Equal(region, client.SigningRegion);
        Assert.Equal(service, client.SigningName);
        Assert.Equal(unsupported, client.UnsupportedSigningScheme);
    }

    [Fact]
    public void Constructor_ServiceUrl_SignsWithTheConfiguredRegion()
    {
        using var sdk = new AmazonS3Client(new BasicAWSCredentials("a", "b"),
            new AmazonS3Config { ServiceURL = "http://127.0.0.1:9000", ForcePathStyle = true, AuthenticationRegion = "eu-central-1" });

        var client = new S3ObjectClient(new NoClients(), sdk, "downloads", string.Empty, "eu-central-1", () => new BasicAWSCredentials("a", "b"), TimeProvider.System);

        Assert.Equal("eu-central-1", client.SigningRegion);
        Assert.Equal("s3", client.SigningName);
        Assert.Null(client.UnsupportedSigningScheme);
    }

    private sealed class NoClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("No request is sent by these tests.");
    }
}
