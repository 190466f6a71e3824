using System.Net.Http.Headers;
using System.Xml;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace LargeFileGateway.Storage.S3;

/// <summary>
/// The two requests of a download, HEAD and ranged GET of one object, sent over a pooled <see cref="HttpClient"/>
/// and signed by <see cref="S3RequestSigner"/>; everything else (listing, probes, checksums) stays with the SDK.
/// </summary>
/// <remarks>
/// What the SDK decides is asked of the SDK once, at startup: the bucket's URL from its endpoint rules (virtual host
/// or path style, partitions such as amazonaws.com.cn, buckets with dots), and the credentials from its chain
/// (refreshed by the SDK when they are temporary). Keys are escaped as the SDK does: each segment per RFC 3986,
/// slashes kept, which is also the canonical path S3 signs.
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

    /// <param name="clients">Hands out the pooled <see cref="HttpClientName"/> client.</param>
    /// <param name="sdk">Asked once for the bucket's URL.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">Key prefix, empty or ending in '/'.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="credentials">Builds the credentials on first use (the chain may need to look around).</param>
    /// <param name="clock">Dates the signatures.</param>
    public S3ObjectClient(IHttpClientFactory clients, IAmazonS3 sdk, string bucket, string prefix, string region, Func<AWSCredentials> credentials, TimeProvider clock)
    {
        _clients = clients;
        var bucketUrl = sdk.DetermineServiceOperationEndpoint(new GetObjectRequest { BucketName = bucket, Key = "key" }).URL;
        _bucketUrl = bucketUrl.EndsWith('/') ? bucketUrl : bucketUrl + "/";
        _prefix = prefix;
        _signer = new S3RequestSigner(region);
        _credentials = credentials;
        _clock = clock;
    }

    /// <summary>
    /// Sends one signed request for the key (under the prefix) and returns the answer once its headers are in, whatever
    /// its status; the caller disposes it. Network failures are <see cref="HttpRequestException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string key, string? versionId, RangeHeaderValue? range, string? ifMatch,
        CancellationToken cancellationToken)
    {
        var url = _bucketUrl + EscapeKey(_prefix + key);
        if (!string.IsNullOrEmpty(versionId))
        {
            url += "?versionId=" + Uri.EscapeDataString(versionId);
        }

        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Absolute));
        request.Headers.Range = range;
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", "\"" + ifMatch + "\"");
        }

        var credentials = await (_resolved ??= _credentials()).GetCredentialsAsync();
        _signer.Sign(request, credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null, _clock.GetUtcNow());
        return await _clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
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

    /// <summary>Each segment escaped per RFC 3986 (unreserved characters kept), the slashes between them kept.</summary>
    private static string EscapeKey(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
}
