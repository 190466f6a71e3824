using System.Net;
using System.Net.Http.Headers;
using System.Xml;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.S3;
using Amazon.S3.Model;

namespace LargeFileGateway.Storage.S3;

/// <summary>
/// The two requests of a download, HEAD and ranged GET of one object, sent over a pooled <see cref="HttpClient"/>
/// and signed by <see cref="S3RequestSigner"/>; everything else (listing, probes, checksums) stays with the SDK.
/// </summary>
/// <remarks>
/// What the SDK decides is asked of the SDK once, at startup: the bucket's URL and how to sign for it from its
/// endpoint rules (virtual host or path style, partitions such as amazonaws.com.cn, buckets with dots, an access
/// point's own region, Object Lambda's signing name), and the credentials from its chain (refreshed by the SDK when
/// they are temporary). Keys are escaped as the SDK does: each segment per RFC 3986, slashes kept, which is also
/// the canonical path S3 signs.
/// </remarks>
internal sealed class S3ObjectClient
{
    /// <summary>The HttpClient the provider's requests go through (see <see cref="RemoteStorageFactory"/>).</summary>
    public const string HttpClientName = "S3";

    /// <summary>Error bodies are a few hundred bytes; a longer one is not read further.</summary>
    private const int MaxErrorBodyBytes = 16 * 1024;

    private readonly IHttpClientFactory _clients;
    private readonly string _bucketUrl;
    private readonly string _prefix;
    private readonly S3RequestSigner _signer;
    private readonly Func<AWSCredentials> _credentials;
    private readonly TimeProvider _clock;
    private AWSCredentials? _resolved;

    /// <summary>How far S3's clock is ahead of ours, as learned from a RequestTimeTooSkewed answer (ticks; 0: not known).</summary>
    private long _clockOffsetTicks;

    /// <param name="clients">Hands out the pooled <see cref="HttpClientName"/> client.</param>
    /// <param name="sdk">Asked once for the bucket's URL and signing scheme.</param>
    /// <param name="bucket">The bucket (or access point).</param>
    /// <param name="prefix">Key prefix, empty or ending in '/'.</param>
    /// <param name="region">The signing region when the endpoint names none.</param>
    /// <param name="credentials">Builds the credentials on first use (the chain may need to look around).</param>
    /// <param name="clock">Dates the signatures.</param>
    public S3ObjectClient(IHttpClientFactory clients, IAmazonS3 sdk, string bucket, string prefix, string region, Func<AWSCredentials> credentials, TimeProvider clock)
    {
        _clients = clients;
        var endpoint = sdk.DetermineServiceOperationEndpoint(new GetObjectRequest { BucketName = bucket, Key = "key" });
        _bucketUrl = endpoint.URL.EndsWith('/') ? endpoint.URL : endpoint.URL + "/";
        var (scheme, signingName, signingRegion) = SigningSchemeOf(endpoint);
        UnsupportedSigningScheme = scheme == "sigv4" ? null : scheme;
        SigningRegion = signingRegion ?? region;
        SigningName = signingName ?? "s3";
        _signer = new S3RequestSigner(SigningRegion, SigningName);
        _prefix = prefix;
        _credentials = credentials;
        _clock = clock;
    }

    /// <summary>
    /// The signing scheme the bucket's endpoint asks for when it is not SigV4 (sigv4-s3express for a directory
    /// bucket, sigv4a for a multi-region access point), which the gateway does not speak; null for SigV4.
    /// </summary>
    public string? UnsupportedSigningScheme { get; }

    /// <summary>The region in the signatures' scope: the endpoint's (an access point's own), else the configured one.</summary>
    public string SigningRegion { get; }

    /// <summary>The service in the signatures' scope: s3, or s3-object-lambda for an Object Lambda access point.</summary>
    public string SigningName { get; }

    /// <summary>
    /// Sends one signed request for the key (under the prefix) and returns the answer once its headers are in, whatever
    /// its status; the caller disposes it. One 307 (S3's "try this endpoint", as for a new bucket while DNS catches up)
    /// is followed, signed anew. Network failures are <see cref="HttpRequestException"/>; credentials that cannot be
    /// had are <see cref="S3CredentialsException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string key, string? versionId, RangeHeaderValue? range, string? ifMatch,
        CancellationToken cancellationToken)
    {
        var url = _bucketUrl + EscapeKey(_prefix + key);
        if (!string.IsNullOrEmpty(versionId))
        {
            url += "?versionId=" + Uri.EscapeDataString(versionId);
        }

        var credentials = await GetCredentialsAsync();
        var answer = await SendSignedAsync(method, new Uri(url, UriKind.Absolute), range, ifMatch, credentials, cancellationToken);
        if (answer.StatusCode == HttpStatusCode.TemporaryRedirect && answer.Headers.Location is { IsAbsoluteUri: true } location
            && (location.Scheme == Uri.UriSchemeHttps || location.Scheme == Uri.UriSchemeHttp))
        {
            answer.Dispose();
            answer = await SendSignedAsync(method, location, range, ifMatch, credentials, cancellationToken);
        }

        return answer;
    }

    /// <summary>
    /// Takes S3's clock from the Date of its RequestTimeTooSkewed answer, for the signatures that follow; false when the
    /// answer has no Date or the offset was known already (the clock is then not the only thing wrong).
    /// </summary>
    public bool LearnClockFrom(HttpResponseMessage answer)
    {
        if (answer.Headers.Date is not { } serverTime)
        {
            return false;
        }

        var offset = (serverTime - _clock.GetUtcNow()).Ticks;
        var known = Interlocked.Read(ref _clockOffsetTicks);
        if (known != 0 && Math.Abs(offset - known) < TimeSpan.TicksPerMinute)
        {
            return false;
        }

        Interlocked.Exchange(ref _clockOffsetTicks, offset == 0 ? 1 : offset);
        return true;
    }

    /// <summary>The Code of an S3 error body (null when there is none, as for HEAD, or it is not S3's XML).</summary>
    public static async ValueTask<string?> ReadErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is 0 or > MaxErrorBodyBytes)
        {
            return null;
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxErrorBodyBytes];
            var length = 0;
            for (int read; length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0;)
            {
                length += read;
            }

            using var reader = XmlReader.Create(new MemoryStream(buffer, 0, length), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Name == "Code" && reader.Depth == 1)
                {
                    return reader.ReadElementContentAsString();
                }
            }
        }
        catch (XmlException)
        {
            // Not S3's error document (a proxy's HTML page, say): no code to name.
        }

        return null;
    }

    private async Task<HttpResponseMessage> SendSignedAsync(HttpMethod method, Uri url, RangeHeaderValue? range, string? ifMatch, ImmutableCredentials credentials,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Range = range;
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", "\"" + ifMatch + "\"");
        }

        // Our clock, moved to S3's once S3 said how far off it is; before that, what the SDK learned for this endpoint
        // (its listing and probe requests correct themselves the same way).
        var offset = Interlocked.Read(ref _clockOffsetTicks);
        var now = _clock.GetUtcNow() + (offset != 0 ? TimeSpan.FromTicks(offset) : CorrectClockSkew.GetClockCorrectionForEndpoint(_bucketUrl));
        _signer.Sign(request, credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null, now);
        return await _clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async ValueTask<ImmutableCredentials> GetCredentialsAsync()
    {
        try
        {
            return await (_resolved ??= _credentials()).GetCredentialsAsync();
        }
        catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException or InvalidOperationException && !S3StorageProvider.IsTransient(ex))
        {
            // The chain found nothing usable, or its source refused (an expired web identity token, a role it may
            // not assume): no request can be signed until the operator acts. A transient failure of the source (STS
            // answering 5xx) is left to the pipeline to retry.
            throw new S3CredentialsException(ex);
        }
    }

    private static (string Scheme, string? SigningName, string? SigningRegion) SigningSchemeOf(Amazon.Runtime.Endpoints.Endpoint endpoint)
    {
        if (endpoint.Attributes?["authSchemes"] is System.Collections.IEnumerable schemes)
        {
            foreach (var scheme in schemes)
            {
                if (scheme is PropertyBag bag)
                {
                    return (bag["name"] as string ?? "sigv4", bag["signingName"] as string, bag["signingRegion"] as string);
                }
            }
        }

        return ("sigv4", null, null);
    }

    /// <summary>Each segment escaped per RFC 3986 (unreserved characters kept), the slashes between them kept.</summary>
    private static string EscapeKey(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
}

/// <summary>The credentials to sign with could not be had; <see cref="Exception.InnerException"/> says why.</summary>
internal sealed class S3CredentialsException : Exception
{
    public S3CredentialsException(Exception inner)
        : base("The S3 credentials could not be resolved: " + inner.Message, inner)
    {
    }
}
