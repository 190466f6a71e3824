using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>
/// A real S3-compatible server the storage suites run against (<see cref="S3rverProcess"/>, the fast one, and
/// <see cref="RgwProcess"/>, a real engine with versioning and conditional reads): seeding, replacing and the
/// gateway arguments that serve one of its buckets.
/// </summary>
public abstract class S3Server : IAsyncDisposable
{
    protected S3Server(int port, string accessKeyId, string secretAccessKey)
    {
        Port = port;
        AccessKey = accessKeyId;
        SecretKey = secretAccessKey;
        Client = CreateClient($"http://127.0.0.1:{port}", accessKeyId, secretAccessKey);
    }

    public int Port { get; }

    /// <summary>The access key id of the server's own user (owner of the buckets the tests make).</summary>
    public string AccessKey { get; }

    public string SecretKey { get; }

    /// <summary>A client straight to the server (not through any proxy), for seeding and replacing objects.</summary>
    public AmazonS3Client Client { get; }

    /// <summary>True when buckets made by <see cref="CreateBucketAsync"/> keep every version of an overwritten object.</summary>
    public abstract bool KeepsVersions { get; }

    public static AmazonS3Client CreateClient(string serviceUrl, string accessKeyId, string secretAccessKey) => new(new BasicAWSCredentials(accessKeyId, secretAccessKey), new AmazonS3Config
    {
        ServiceURL = serviceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",

        // No checksums beyond what S3 requires: s3rver 3.7 knows nothing of them and RGW 16 predates flexible
        // checksums (it neither returns nor checks x-amz-checksum-*). Uploads also turn off aws-chunked, below.
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Gateway arguments that serve <paramref name="bucket"/> (under <paramref name="prefix"/>) through <paramref name="port"/>.</summary>
    public string[] ServingArgs(int port, string bucket, string prefix = "") => GatewayArgs(port, bucket, prefix, AccessKey, SecretKey);

    /// <summary>The same with other credentials (a second user, or wrong keys).</summary>
    public static string[] GatewayArgs(int port, string bucket, string prefix, string accessKeyId, string secretAccessKey) =>
    [
        "--Gateway:Storage:Provider=S3",
        $"--Gateway:Storage:S3:ServiceUrl=http://127.0.0.1:{port}",
        "--Gateway:Storage:S3:Region=us-east-1",
        $"--Gateway:Storage:S3:Bucket={bucket}",
        $"--Gateway:Storage:S3:Prefix={prefix}",
        "--Gateway:Storage:S3:ForcePathStyle=true",
        $"--Gateway:Storage:S3:AccessKeyId={accessKeyId}",
        $"--Gateway:Storage:S3:SecretAccessKey={secretAccessKey}",
    ];

    public virtual async Task CreateBucketAsync(string bucket) => await Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

    // UseChunkEncoding = false: s3rver stores aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) bodies with their
    // chunk signatures in them instead of decoding them.
    public async Task PutAsync(string bucket, string key, byte[] bytes)
    {
        using var content = new MemoryStream(bytes, writable: false);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = content, AutoCloseStream = false, UseChunkEncoding = false });
    }

    public async Task PutFileAsync(string bucket, string key, string path)
        => await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = path, UseChunkEncoding = false });

    /// <summary>Replaces an object so that no earlier version of it stays readable (every old version deleted first).</summary>
    public async Task ReplaceAsync(string bucket, string key, byte[] bytes)
    {
        if (KeepsVersions)
        {
            var versions = await Client.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = key });
            foreach (var version in (versions.Versions ?? []).Where(v => v.Key == key))
            {
                await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key, VersionId = version.VersionId });
            }
        }

        await PutAsync(bucket, key, bytes);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask StopAsync();
}
