using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
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
/// </remarks>
internal sealed class S3StorageProvider : IStorageProvider, IDisposable
{
    /// <summary>Separates the S3 ETag from the version id in the gateway's validator; S3 ETags are hex and '-' only.</summary>
    private const char VersionSeparator = '@';

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly StoragePipeline _pipeline;
    private readonly TimeSpan _readTimeout;

    public S3StorageProvider(IAmazonS3 client, string bucket, string prefix, StoragePipeline pipeline, TimeSpan readTimeout)
    {
        _client = client;
        _bucket = bucket;
        var trimmed = prefix.Trim('/');
        _prefix = trimmed.Length == 0 ? string.Empty : trimmed + "/";
        _pipeline = pipeline;
        _readTimeout = readTimeout;
    }

    public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
    {
        if (!RemoteKey.IsServable(key))
        {
            return ValueTask.FromResult<FileMetadata?>(null);
        }

        return _pipeline.ExecuteAsync(async token =>
        {
            GetObjectMetadataResponse head;
            try
            {
                head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key }, token);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            catch (AmazonS3Exception ex) when (!IsTransient(ex))
            {
                throw new StorageUnavailableException("S3 refused the metadata lookup.", ex);
            }

            if (head.DeleteMarker is "true" || head.ContentLength < 0 || string.IsNullOrEmpty(head.ETag))
            {
                return null;
            }

            return new FileMetadata(key, head.ContentLength, FileMetadata.ToHttpDatePrecision(AsUtc(head.LastModified)), ToValidator(head.ETag, head.VersionId));
        }, cancellationToken);
    }

    public async ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length <= 0)
        {
            return Stream.Null;
        }

        var (s3ETag, versionId) = FromValidator(file.ETag);
        var last = offset + length - 1;
        var response = await _pipeline.ExecuteAsync(async token =>
        {
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
                }, token);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                throw new StorageObjectChangedException("The object changed or disappeared since its metadata was read.", ex);
            }
            catch (AmazonS3Exception ex) when (!IsTransient(ex))
            {
                throw new StorageUnavailableException("S3 refused the read.", ex);
            }
        }, cancellationToken);

        try
        {
            EnsureAnswerMatches(response, file, s3ETag, offset, last);
            return new RemoteReadStream(response.ResponseStream, response, length, _readTimeout);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();

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
