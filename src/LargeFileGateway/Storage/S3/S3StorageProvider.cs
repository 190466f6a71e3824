using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LargeFileGateway.Digests;
using LargeFileGateway.Observability;
using LargeFileGateway.Resilience;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Storage.S3;

/// <summary>
/// Serves the objects of one S3-compatible bucket (under an optional key prefix): metadata from HEAD, bytes from
/// ranged GETs pinned to the version the metadata named.
/// </summary>
/// <remarks>
/// The gateway writes every response header itself from <see cref="FileMetadata"/>, so nothing S3 answers is
/// forwarded: in particular S3's whole-object checksum headers (x-amz-checksum-*), which would be wrong on a 206.
/// Multi-range requests reach this class as one ranged read per range; S3 is never asked for several ranges.
/// The SDK's own retries are off (see <see cref="S3ClientFactory"/>): the provider's pipeline retries instead.
/// <para>
/// A 403 means two different things. For a principal without s3:ListBucket, S3 answers a missing key with 403
/// AccessDenied instead of 404 (so that keys cannot be probed); wrong or expired credentials are a 403 too
/// (InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken). A HEAD answer has no body, so no error code: on a
/// 403 to HEAD the provider asks once more with a GET of "bytes=0-0", whose error body names the code. That costs
/// a second round trip only on a 403; every other lookup stays one HEAD. AccessDenied is "no such key" (null,
/// 404); everything else is a misconfiguration of the gateway: <see cref="StorageUnavailableException"/> (503),
/// logged once at Error with the setting to check, never retried and never counted by the breaker. No SDK
/// exception leaves this class.
/// </para>
/// </remarks>
internal sealed partial class S3StorageProvider : RemoteStorageProvider<GetObjectResponse>, IStorageProbe, IFullObjectChecksumSource, IListableStorage, IDisposable
{
    /// <summary>Separates the S3 ETag from the version id in the gateway's validator; S3 ETags are hex and '-' only.</summary>
    private const char VersionSeparator = '@';

    private const string AccessDenied = "AccessDenied";

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly ILogger _logger;

    /// <summary>The error code last logged as a misconfiguration, so that a flood of requests logs it once.</summary>
    private string? _loggedMisconfiguration;

    public S3StorageProvider(IAmazonS3 client, string bucket, string prefix, StoragePipeline pipeline, TimeSpan readTimeout, ILogger<S3StorageProvider> logger)
        : base(pipeline, readTimeout)
    {
        _client = client;
        _bucket = bucket;
        var trimmed = prefix.Trim('/');
        _prefix = trimmed.Length == 0 ? string.Empty : trimmed + "/";
        _logger = logger;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Lists at most one key under the prefix: one request that needs the bucket, the credentials and the network,
    /// and reads nothing the gateway serves. Outside the pipeline: a probe is not retried and does not count
    /// towards the breaker.
    /// </summary>
    public async ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, MaxKeys = 1 }, cancellationToken);
            return null;
        }
        catch (AmazonServiceException ex) when (ex.StatusCode != 0)
        {
            return $"S3 answered {(int)ex.StatusCode} {ex.ErrorCode}";
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException && !cancellationToken.IsCancellationRequested)
        {
            return "S3 is unreachable: " + ex.GetType().Name;
        }
    }

    protected override async ValueTask<FileMetadata?> LookUpAsync(string key, CancellationToken cancellationToken)
    {
        GetObjectMetadataResponse head;
        try
        {
            head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            var code = await ProbeErrorCodeAsync(key, cancellationToken);
            return code is AccessDenied or "NoSuchKey" ? null : throw Misconfigured(code ?? ex.ErrorCode, "S3 refused the metadata lookup.", ex);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException && !IsTransient(ex))
        {
            throw Misconfigured((ex as AmazonServiceException)?.ErrorCode, "S3 refused the metadata lookup.", ex);
        }

        _loggedMisconfiguration = null;
        if (head.DeleteMarker is "true" || head.ContentLength < 0 || string.IsNullOrEmpty(head.ETag))
        {
            return null;
        }

        return new FileMetadata(key, head.ContentLength, FileMetadata.ToHttpDatePrecision(AsUtc(head.LastModified)), ToValidator(head.ETag, head.VersionId));
    }

    /// <summary>
    /// One HEAD with checksum mode on, pinned to the version (If-Match, version id), for the digest worker only:
    /// request lookups never ask for checksums. Outside the pipeline: a failure here only means the worker reads
    /// the object instead, or tries again on a later request.
    /// </summary>
    public async ValueTask<byte[]?> GetFullObjectSha256Async(FileMetadata file, CancellationToken cancellationToken)
    {
        var (s3ETag, versionId) = FromValidator(file.ETag);
        GetObjectMetadataResponse head;
        try
        {
            head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = _bucket,
                Key = _prefix + file.Key,
                EtagToMatch = s3ETag,
                VersionId = versionId,
                ChecksumMode = ChecksumMode.ENABLED,
            }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed or HttpStatusCode.Forbidden)
        {
            return null;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException)
        {
            throw new StorageUnavailableException("S3 refused the checksum lookup.", ex);
        }

        // Belt and braces, as for reads: a server that ignores If-Match must not lend another version's checksum.
        return string.Equals(Unquote(head.ETag ?? string.Empty), s3ETag, StringComparison.Ordinal)
            ? S3Checksum.FullObjectSha256(head.ChecksumSHA256, head.ChecksumType?.Value)
            : null;
    }

    protected override async ValueTask<GetObjectResponse> SendReadAsync(FileMetadata file, long offset, long last, CancellationToken cancellationToken)
    {
        var (s3ETag, versionId) = FromValidator(file.ETag);
        try
        {
            return await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _bucket,
                Key = _prefix + file.Key,
                ByteRange = new ByteRange(offset, last),

                // Pinned: S3 answers 412 rather than bytes of another version (and a version id is exact).
                EtagToMatch = s3ETag,
                VersionId = versionId,
            }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.RequestedRangeNotSatisfiable
            || ex.ErrorCode == AccessDenied)
        {
            // AccessDenied for a key whose metadata was just read: without s3:ListBucket, that is how a deleted object looks.
            throw new StorageObjectChangedException("The object changed or disappeared since its metadata was read.", ex);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException && !IsTransient(ex))
        {
            throw Misconfigured((ex as AmazonServiceException)?.ErrorCode, "S3 refused the read.", ex);
        }
    }

    protected override ValueTask<Stream> AcceptAsync(GetObjectResponse answer, FileMetadata file, long offset, long last, CancellationToken cancellationToken)
    {
        EnsureAnswerMatches(answer, file, FromValidator(file.ETag).S3ETag, offset, last);
        return ValueTask.FromResult(answer.ResponseStream);
    }

    /// <summary>Failures worth another attempt: the network, S3's 5xx (503 SlowDown included) and throttling.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AmazonServiceException service when service.StatusCode != 0:
                    return (int)service.StatusCode >= 500 || service.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
                        || service.ErrorCode is "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException";
                case HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>The setting to check for an S3 error code that means the gateway, not the client, is wrong.</summary>
    private static string SettingFor(string? errorCode) => errorCode switch
    {
        "InvalidAccessKeyId" => "Gateway:Storage:S3:AccessKeyId",
        "SignatureDoesNotMatch" => "Gateway:Storage:S3:SecretAccessKey",
        "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired" => "the AWS credentials (Gateway:Storage:S3:AccessKeyId, or the environment's credential chain)",
        "AuthorizationHeaderMalformed" or "PermanentRedirect" or "IllegalLocationConstraintException" => "Gateway:Storage:S3:Region and Gateway:Storage:S3:ServiceUrl",
        "NoSuchBucket" or "AllAccessDisabled" => "Gateway:Storage:S3:Bucket",
        _ => "the Gateway:Storage:S3 section and the bucket's permissions for the gateway's credentials",
    };

    /// <summary>
    /// Reads the error code a HEAD could not carry: the same key with "bytes=0-0" (one byte at most, or an error
    /// body). Null when the GET is answered (HEAD and GET then disagree, which is no "no such key" either).
    /// </summary>
    private async ValueTask<string?> ProbeErrorCodeAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var probe = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _prefix + key, ByteRange = new ByteRange(0, 0) }, cancellationToken);
            return null;
        }
        catch (AmazonServiceException ex) when (ex.StatusCode != 0 && !IsTransient(ex))
        {
            return ex.ErrorCode;
        }
    }

    private StorageUnavailableException Misconfigured(string? errorCode, string message, Exception exception)
    {
        var code = string.IsNullOrEmpty(errorCode) ? exception.GetType().Name : errorCode;
        if (!string.Equals(Interlocked.Exchange(ref _loggedMisconfiguration, code), code, StringComparison.Ordinal))
        {
            Log.S3RequestRefused(_logger, _bucket, code, SettingFor(errorCode));
        }

        return new StorageUnavailableException(message + " (" + code + ")", exception);
    }

    // Belt and braces: some S3-compatible servers ignore If-Match; the answer's own ETag and Content-Range say
    // which bytes these are, and anything but the pinned version at the asked offset is refused.
    private static void EnsureAnswerMatches(GetObjectResponse response, FileMetadata file, string s3ETag, long offset, long last)
    {
        if (!string.IsNullOrEmpty(response.ETag) && !string.Equals(Unquote(response.ETag), s3ETag, StringComparison.Ordinal))
        {
            throw new StorageObjectChangedException("S3 answered with another version of the object.");
        }

        if (response.ContentRange is { Length: > 0 } contentRange)
        {
            if (!ContentRangeHeaderValue.TryParse(contentRange, out var range) || range.Length is not { } total)
            {
                throw new StorageUnavailableException("S3 answered with an unreadable Content-Range.");
            }

            if (total != file.Length)
            {
                throw new StorageObjectChangedException("S3 answered for an object of another length.");
            }

            // An answer that starts at the asked offset and runs past the asked end holds exactly the asked bytes
            // first, and the read stream stops after them: some S3-compatible servers (s3rver) answer "bytes=0-0"
            // as "bytes=0-". Any other offset is refused.
            if (range.From != offset || range.To < last)
            {
                throw new StorageUnavailableException("S3 answered with other bytes than those asked for.");
            }
        }
        else if (offset != 0 || last != file.Length - 1 || response.ContentLength != file.Length)
        {
            throw new StorageUnavailableException("S3 ignored the Range of a read.");
        }
    }

    private static DateTimeOffset AsUtc(DateTime? time) => time switch
    {
        null => DateTimeOffset.UnixEpoch,
        { Kind: DateTimeKind.Unspecified } unspecified => new DateTimeOffset(unspecified, TimeSpan.Zero),
        { } known => new DateTimeOffset(known.ToUniversalTime(), TimeSpan.Zero),
    };

    private static EntityTagHeaderValue ToValidator(string s3ETag, string? versionId)
    {
        // RFC 9110 §8.8.3: the S3 ETag names the content; with versioning on, the version id names it exactly.
        var inner = Unquote(s3ETag);
        var tag = string.IsNullOrEmpty(versionId) || versionId == "null" ? inner : inner + VersionSeparator + versionId;
        return new EntityTagHeaderValue(string.Create(CultureInfo.InvariantCulture, $"\"{tag}\""));
    }

    private static (string S3ETag, string? VersionId) FromValidator(EntityTagHeaderValue validator)
    {
        var inner = Unquote(validator.Tag.Value!);
        var separator = inner.IndexOf(VersionSeparator, StringComparison.Ordinal);
        return separator < 0 ? (inner, null) : (inner[..separator], inner[(separator + 1)..]);
    }

    private static string Unquote(string etag)
    {
        var value = etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;
        return value.Trim('"');
    }
}
