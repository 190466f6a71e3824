using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.Observability;
using LargeFileGateway.Resilience;
using EntityTagHeaderValue = Microsoft.Net.Http.Headers.EntityTagHeaderValue;

namespace LargeFileGateway.Storage.HttpOrigin;

/// <summary>
/// Serves files from another HTTP server that supports Range: metadata from HEAD, bytes from ranged GETs pinned
/// to the version HEAD saw, and every answer checked before a byte of it reaches a client.
/// </summary>
/// <remarks>
/// The origin is not trusted to have honoured what was asked: a 200 where a 206 was asked (Range ignored, or
/// If-Range failed because the file changed), a Content-Range for other bytes or another length, or another ETag
/// are all refused, never relabeled as the range the client asked for.
/// </remarks>
internal sealed class HttpOriginStorageProvider : RemoteStorageProvider<HttpResponseMessage>, IStorageProbe
{
    public const string HttpClientName = "HttpOrigin";

    private readonly IHttpClientFactory _clients;
    private readonly Uri _baseUrl;
    private readonly ILogger _logger;

    public HttpOriginStorageProvider(IHttpClientFactory clients, Uri baseUrl, StoragePipeline pipeline, TimeSpan readTimeout, ILogger<HttpOriginStorageProvider> logger)
        : base(pipeline, readTimeout)
    {
        _clients = clients;
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _logger = logger;
    }

    /// <summary>
    /// A HEAD of the base URL: any answer below 500 (a 403 or 404 for a folder included) shows the origin serves.
    /// Outside the pipeline: a probe is not retried and does not count towards the breaker.
    /// </summary>
    public async ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, _baseUrl);
            using var response = await _clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return (int)response.StatusCode < 500 ? null : $"the origin answered {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return "the origin is unreachable: " + (ex.HttpRequestError.ToString());
        }
    }

    protected override async ValueTask<FileMetadata?> LookUpAsync(string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, UrlOf(key));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        using var response = await _clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden
            || (int)response.StatusCode is >= 300 and < 400)
        {
            // 403 (the origin refuses it to us) and redirects (a folder, or elsewhere) are "no such file" here.
            return null;
        }

        ThrowUnlessSuccess(response);
        return Describe(key, response);
    }

    protected override async ValueTask<HttpResponseMessage> SendReadAsync(FileMetadata file, long offset, long last, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, UrlOf(file.Key));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        request.Headers.Range = new RangeHeaderValue(offset, last);
        Pin(request, file);
        var answer = await _clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (answer.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                throw new StorageObjectChangedException("The file changed or disappeared at the origin since its metadata was read.");
            }

            ThrowUnlessSuccess(answer);
            return answer;
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    protected override async ValueTask<Stream> AcceptAsync(HttpResponseMessage answer, FileMetadata file, long offset, long last, CancellationToken cancellationToken)
    {
        EnsureAnswerMatches(answer, file, offset, last);
        return await answer.Content.ReadAsStreamAsync(cancellationToken);
    }

    /// <summary>Failures worth another attempt: the network, timeouts, and 5xx/429/408 answers (raised as <see cref="HttpRequestException"/>).</summary>
    public static bool IsTransient(Exception exception)
        => exception is HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException;

    private Uri UrlOf(string key)
        => new(_baseUrl, string.Join('/', key.Split('/').Select(Uri.EscapeDataString)));

    private static void ThrowUnlessSuccess(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is >= 500 or 429 or 408)
        {
            throw new HttpRequestException($"The origin answered {status}.", null, response.StatusCode);
        }

        if (status is < 200 or >= 300)
        {
            throw new StorageUnavailableException(string.Create(CultureInfo.InvariantCulture, $"The origin answered {status}."));
        }
    }

    private static FileMetadata Describe(string key, HttpResponseMessage response)
    {
        var content = response.Content.Headers;
        if (content.ContentLength is not { } length || (content.ContentEncoding.Count > 0 && !content.ContentEncoding.Contains("identity")))
        {
            // Without the exact length of the stored bytes, neither ranges nor Content-Length can be right.
            throw new StorageUnavailableException("The origin gave no usable Content-Length for a file.");
        }

        var lastModified = FileMetadata.ToHttpDatePrecision(content.LastModified ?? DateTimeOffset.UnixEpoch);
        if (response.Headers.ETag is { IsWeak: false } etag)
        {
            return new FileMetadata(key, length, lastModified, new EntityTagHeaderValue(etag.Tag));
        }

        // No strong ETag: a validator of our own from length and Last-Modified; reads are then pinned with
        // If-Unmodified-Since and the Content-Range length (RFC 9110 §8.8.2.2: a date is a weaker promise).
        var tag = string.Create(CultureInfo.InvariantCulture, $"\"lm-{length:x}-{lastModified.ToUnixTimeSeconds():x}\"");
        return new FileMetadata(key, length, lastModified, new EntityTagHeaderValue(tag));
    }

    private static void Pin(HttpRequestMessage request, FileMetadata file)
    {
        if (IsOriginETag(file))
        {
            // RFC 9110 §13.1.1: If-Match makes a changed file a 412; §13.1.5: If-Range makes it a 200 for origins
            // that ignore If-Match on GET. Either way it is detected, never served as the asked range.
            var etag = new System.Net.Http.Headers.EntityTagHeaderValue(file.ETag.Tag.Value!);
            request.Headers.IfMatch.Add(etag);
            request.Headers.IfRange = new RangeConditionHeaderValue(etag);
        }
        else
        {
            request.Headers.IfUnmodifiedSince = file.LastModified;
        }
    }

    private void EnsureAnswerMatches(HttpResponseMessage response, FileMetadata file, long offset, long last)
    {
        string? problem = null;
        var changed = false;
        if (IsOriginETag(file) && response.Headers.ETag is { } etag && (etag.IsWeak || etag.Tag != file.ETag.Tag.Value))
        {
            (problem, changed) = ("another ETag", true);
        }
        else if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            // A 200 to a pinned ranged GET: the Range was ignored (a changed file under If-Range carries another
            // ETag, caught above). Usable only when the whole file of the same length was what we asked for.
            if (offset == 0 && last == file.Length - 1 && response.Content.Headers.ContentLength == file.Length && IsOriginETag(file) && response.Headers.ETag is not null)
            {
                return;
            }

            problem = "200 where 206 was asked";
        }
        else if (response.Content.Headers.ContentRange is not { HasRange: true, Unit: "bytes" } range || range.Length is not { } total)
        {
            problem = "206 without a usable Content-Range";
        }
        else if (total != file.Length)
        {
            (problem, changed) = ("Content-Range of another length", true);
        }
        else if (range.From != offset || range.To != last || (response.Content.Headers.ContentLength is { } length && length != last - offset + 1))
        {
            problem = "Content-Range for other bytes";
        }
        else if (!IsOriginETag(file) && response.Content.Headers.LastModified is { } modified && FileMetadata.ToHttpDatePrecision(modified) != file.LastModified)
        {
            (problem, changed) = ("another Last-Modified", true);
        }

        if (problem is null)
        {
            return;
        }

        Log.OriginAnswerRejected(_logger, HttpClientName, file.Key, offset, problem);
        throw changed
            ? new StorageObjectChangedException("The origin answered for another version: " + problem + ".")
            : new StorageUnavailableException("The origin answered wrongly: " + problem + ".");
    }

    private static bool IsOriginETag(FileMetadata file) => !file.ETag.Tag.AsSpan().StartsWith("\"lm-");
}
