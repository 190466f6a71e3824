using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LargeFileGateway.Digests;
using LargeFileGateway.Observability;
using LargeFileGateway.Resilience;
using ContentRangeHeaderValue = Microsoft.Net.Http.Headers.ContentRangeHeaderValue;
using EntityTagHeaderValue = Microsoft.Net.Http.Headers.EntityTagHeaderValue;

namespace LargeFileGateway.Storage.S3;

/// <summary>
/// Serves the objects of one S3-compatible bucket (under an optional key prefix): metadata from HEAD, bytes from
/// ranged GETs pinned to the version the metadata named. Both are sent by <see cref="S3ObjectClient"/> (signed by
/// the gateway over a pooled HttpClient); listing, the readiness probe and checksum lookups use the SDK.
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
internal sealed partial class S3StorageProvider : RemoteStorageProvider<HttpResponseMessage>, IStorageProbe, IFullObjectChecksumSource, IListableStorage, IDisposable
{
    /// <summary>Separates the S3 ETag from the version id in the gateway's validator; S3 ETags are hex and '-' only.</summary>
    private const char VersionSeparator = '@';

    private const string AccessDenied = "AccessDenied";
    private const string RequestTimeTooSkewed = "RequestTimeTooSkewed";

    /// <summary>The code logged when the bucket's endpoint needs a signing scheme the gateway does not speak.</summary>
    private const string UnsupportedSigningScheme = "UnsupportedSigningScheme";

    private readonly IAmazonS3 _client;
    private readonly S3ObjectClient _objects;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly ILogger _logger;

    /// <summary>The error code last logged as a misconfiguration, so that a flood of requests logs it once.</summary>
    private string? _loggedMisconfiguration;

    public S3StorageProvider(IAmazonS3 client, Func<string, S3ObjectClient> objects, string bucket, string prefix, StoragePipeline pipeline, TimeSpan readTimeout,
        ILogger<S3StorageProvider> logger)
        : base(pipeline, readTimeout)
    {
        _client = client;
        _bucket = bucket;
        var trimmed = prefix.Trim('/');
        _prefix = trimmed.Length == 0 ? string.Empty : trimmed + "/";
        _objects = objects(_prefix);
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
        if (_objects.UnsupportedSigningScheme is { } scheme)
        {
            // Listing would work through the SDK, downloads would not: the instance is not ready to serve.
            return "the bucket's endpoint asks for " + scheme + " signing, which the gateway does not do";
        }

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
        using var head = await SendAsync(HttpMethod.Head, key, null, null, null, "S3 refused the metadata lookup.", cancellationToken);
        if (head.StatusCode == HttpStatusCode.NotFound)
        {
            // A delete marker as the current version is a 404 as well (with x-amz-delete-marker: true).
            return null;
        }

        if (!head.IsSuccessStatusCode)
        {
            // A HEAD answer has no body, so no error code: the same key with "bytes=0-0" names it.
            var code = await ProbeErrorCodeAsync(key, cancellationToken);
            return head.StatusCode == HttpStatusCode.Forbidden && code is AccessDenied or "NoSuchKey"
                ? null
                : throw Misconfigured(code ?? StatusName(head), "S3 refused the metadata lookup.", null);
        }

        _loggedMisconfiguration = null;
        var etag = Header(head, "ETag");
        if (Header(head, "x-amz-delete-marker") is "true" || head.Content.Headers.ContentLength is not { } length || string.IsNullOrEmpty(etag))
        {
            return null;
        }

        var lastModified = head.Content.Headers.LastModified ?? DateTimeOffset.UnixEpoch;
        return new FileMetadata(key, length, FileMetadata.ToHttpDatePrecision(lastModified), ToValidator(etag, Header(head, "x-amz-version-id")));
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

    protected override async ValueTask<HttpResponseMessage> SendReadAsync(FileMetadata file, long offset, long last, CancellationToken cancellationToken)
    {
        var (s3ETag, versionId) = FromValidator(file.ETag);

        // Pinned: S3 answers 412 rather than bytes of another version (and a version id is exact).
        var answer = await SendAsync(HttpMethod.Get, file.Key, versionId, new RangeHeaderValue(offset, last), s3ETag, "S3 refused the read.", cancellationToken);
        try
        {
            if (answer.IsSuccessStatusCode)
            {
                return answer;
            }

            var code = await ReadRefusalAsync(answer, cancellationToken);

            // AccessDenied for a key whose metadata was just read: without s3:ListBucket, that is how a deleted object looks.
            if (answer.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.RequestedRangeNotSatisfiable || code == AccessDenied)
            {
                throw new StorageObjectChangedException("The object changed or disappeared since its metadata was read.");
            }

            throw Misconfigured(code ?? StatusName(answer), "S3 refused the read.", null);
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    protected override async ValueTask<Stream> AcceptAsync(HttpResponseMessage answer, FileMetadata file, long offset, long last, CancellationToken cancellationToken)
    {
        EnsureAnswerMatches(answer, file, FromValidator(file.ETag).S3ETag, offset, last);
        return await answer.Content.ReadAsStreamAsync(cancellationToken);
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
                    // Also S3's 5xx, 429 and 408 to the provider's own requests (see SendAsync).
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

        // The gateway moves its signing clock to S3's once (S3ObjectClient.LearnClockFrom); this is a clock that S3 still
        // refuses after that, or an answer without a Date.
        RequestTimeTooSkewed => "the machine's clock (S3 refuses a signature dated more than 15 minutes away from its own time)",
        UnsupportedSigningScheme => "Gateway:Storage:S3:Bucket (serve a general-purpose bucket or a single-region access point: directory buckets and multi-region access points need S3 Express or SigV4a signing, which the gateway does not do)",
        _ => "the Gateway:Storage:S3 section and the bucket's permissions for the gateway's credentials",
    };

    /// <summary>
    /// One signed request of <see cref="S3ObjectClient"/>. S3's 5xx (503 SlowDown included), 429 and 408 become an
    /// <see cref="HttpRequestException"/> for the pipeline to retry; credentials that cannot be had are the
    /// gateway's misconfiguration; every other answer is the caller's to judge.
    /// </summary>
    private async ValueTask<HttpResponseMessage> SendAsync(HttpMethod method, string key, string? versionId, RangeHeaderValue? range, string? ifMatch, string refused,
        CancellationToken cancellationToken)
    {
        if (_objects.UnsupportedSigningScheme is { } scheme)
        {
            throw Misconfigured(UnsupportedSigningScheme, refused + " The bucket's endpoint asks for " + scheme + " signing.", null);
        }

        HttpResponseMessage answer;
        try
        {
            answer = await _objects.SendAsync(method, key, versionId, range, ifMatch, cancellationToken);
        }
        catch (S3CredentialsException ex)
        {
            // The credential chain found nothing usable (or its source refused): no request could be signed.
            throw Misconfigured((ex.InnerException as AmazonServiceException)?.ErrorCode, refused, ex.InnerException ?? ex);
        }

        var status = (int)answer.StatusCode;
        if (status is >= 500 or 429 or 408)
        {
            answer.Dispose();
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"S3 answered {status}."), null, answer.StatusCode);
        }

        return answer;
    }

    /// <summary>
    /// Reads the error code a HEAD could not carry: the same key with "bytes=0-0" (one byte at most, or an error
    /// body). Null when the GET is answered (HEAD and GET then disagree, which is no "no such key" either).
    /// </summary>
    private async ValueTask<string?> ProbeErrorCodeAsync(string key, CancellationToken cancellationToken)
    {
        using var probe = await SendAsync(HttpMethod.Get, key, null, new RangeHeaderValue(0, 0), null, "S3 refused the metadata lookup.", cancellationToken);
        return probe.IsSuccessStatusCode ? null : await ReadRefusalAsync(probe, cancellationToken) ?? StatusName(probe);
    }

    /// <summary>
    /// The error code of a refusal that is final. A refusal worth another attempt is thrown as
    /// <see cref="HttpRequestException"/> for the pipeline instead: S3's throttling and timeout codes (which some
    /// servers send with a 4xx), and RequestTimeTooSkewed the first time, once S3's clock is taken from its answer.
    /// </summary>
    private async ValueTask<string?> ReadRefusalAsync(HttpResponseMessage answer, CancellationToken cancellationToken)
    {
        var code = await S3ObjectClient.ReadErrorCodeAsync(answer, cancellationToken);
        if (code is "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException"
            || (code == RequestTimeTooSkewed && _objects.LearnClockFrom(answer)))
        {
            throw new HttpRequestException("S3 answered " + code + ".", null, answer.StatusCode);
        }

        return code;
    }

    private static string StatusName(HttpResponseMessage answer) => ((int)answer.StatusCode).ToString(CultureInfo.InvariantCulture) + " " + answer.StatusCode;

    private static string? Header(HttpResponseMessage answer, string name)
        => answer.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private StorageUnavailableException Misconfigured(string? errorCode, string message, Exception? exception)
    {
        var code = string.IsNullOrEmpty(errorCode) ? exception?.GetType().Name ?? "Unknown" : errorCode;
        if (!string.Equals(Interlocked.Exchange(ref _loggedMisconfiguration, code), code, StringComparison.Ordinal))
        {
            Log.S3RequestRefused(_logger, _bucket, code, SettingFor(errorCode));
        }

        return exception is null
            ? new StorageUnavailableException(message + " (" + code + ")")
            : new StorageUnavailableException(message + " (" + code + ")", exception);
    }

    // Belt and braces: some S3-compatible servers ignore If-Match; the answer's own ETag and Content-Range say
    // which bytes these are, and anything but the pinned version at the asked offset is refused.
    private static void EnsureAnswerMatches(HttpResponseMessage response, FileMetadata file, string s3ETag, long offset, long last)
    {
        if (Header(response, "ETag") is { Length: > 0 } etag && !string.Equals(Unquote(etag), s3ETag, StringComparison.Ordinal))
        {
            throw new StorageObjectChangedException("S3 answered with another version of the object.");
        }

        if (response.Content.Headers.TryGetValues("Content-Range", out var values) && values.FirstOrDefault() is { Length: > 0 } contentRange)
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
        else if (offset != 0 || last != file.Length - 1 || response.Content.Headers.ContentLength != file.Length)
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
