using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LargeFileGateway.Storage.S3;

/// <summary>
/// AWS Signature Version 4 for the bodiless requests the provider sends on the hot path (HEAD, ranged GET): the
/// Authorization header of the AWS documentation's "header-based auth" with a signed empty payload.
/// </summary>
/// <remarks>
/// The SDK signs as well, but a whole SDK request (auth-scheme and endpoint resolution, the handler chain, the
/// unmarshaller) cost about 0.8 ms per request on the benchmark machine, most of a cached read's time to first byte
/// (benchmarks/RESULTS.md, "Where the rest goes"). Signing itself is two SHA-256 passes over a few hundred bytes;
/// the derived signing key changes once a day and is kept.
/// Signed are host, the x-amz-* headers and Range, the set the AWS examples sign; If-Match is sent unsigned.
/// </remarks>
internal sealed class S3RequestSigner
{
    /// <summary>SHA-256 of the empty payload, as x-amz-content-sha256 carries it.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private const string Algorithm = "AWS4-HMAC-SHA256";

    private readonly string _region;
    private readonly string _service;
    private SigningKey? _key;

    /// <param name="region">The signing region (an access point's may differ from the client's).</param>
    /// <param name="service">The signing name: s3, or s3-object-lambda for an Object Lambda access point.</param>
    public S3RequestSigner(string region, string service = "s3")
    {
        _region = region;
        _service = service;
    }

    /// <summary>
    /// Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (for temporary credentials) and Authorization to
    /// <paramref name="request"/>, whose URI must be escaped as S3 expects (each key segment escaped per RFC 3986).
    /// </summary>
    public void Sign(HttpRequestMessage request, string accessKeyId, string secretAccessKey, string? sessionToken, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        var range = request.Headers.Range?.ToString();

        // The headers to sign, sorted by their lower-case name.
        var headers = new List<KeyValuePair<string, string>>(5) { new("host", host) };
        if (range is not null)
        {
            headers.Add(new("range", range));
        }

        headers.Add(new("x-amz-content-sha256", EmptyPayloadHash));
        headers.Add(new("x-amz-date", amzDate));
        if (!string.IsNullOrEmpty(sessionToken))
        {
            headers.Add(new("x-amz-security-token", sessionToken));
        }

        var authorization = Authorization(request.Method.Method, uri.AbsolutePath, CanonicalQuery(uri.Query), headers, accessKeyId, secretAccessKey, amzDate);

        // Host is set explicitly so that what is sent is what was signed.
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", EmptyPayloadHash);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        if (!string.IsNullOrEmpty(sessionToken))
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", sessionToken);
        }

        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    /// <summary>
    /// The Authorization header value for a bodiless request. <paramref name="signedHeaders"/> are lower-case names,
    /// sorted, with trimmed values; <paramref name="canonicalPath"/> and <paramref name="canonicalQuery"/> are
    /// already escaped. Public for the tests against the AWS documentation's examples.
    /// </summary>
    public string Authorization(string method, string canonicalPath, string canonicalQuery, IReadOnlyList<KeyValuePair<string, string>> signedHeaders,
        string accessKeyId, string secretAccessKey, string amzDate)
    {
        var date = amzDate[..8];
        var names = string.Join(';', signedHeaders.Select(header => header.Key));
        var canonical = new StringBuilder(256)
            .Append(method).Append('\n')
            .Append(canonicalPath.Length == 0 ? "/" : canonicalPath).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in signedHeaders)
        {
            canonical.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        canonical.Append('\n').Append(names).Append('\n').Append(EmptyPayloadHash);

        var scope = date + "/" + _region + "/" + _service + "/aws4_request";
        var stringToSign = Algorithm + "\n" + amzDate + "\n" + scope + "\n" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
        var signature = Hex(HMACSHA256.HashData(KeyFor(date, secretAccessKey), Encoding.UTF8.GetBytes(stringToSign)));
        return Algorithm + " Credential=" + accessKeyId + "/" + scope + ",SignedHeaders=" + names + ",Signature=" + signature;
    }

    /// <summary>
    /// The query as SigV4 wants it: parameters sorted by name, each name and value escaped per RFC 3986. The
    /// provider's queries (versionId) are escaped that way already, so only the order needs making.
    /// </summary>
    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        var parameters = query[1..].Split('&');
        if (parameters.Length == 1)
        {
            return parameters[0].Contains('=', StringComparison.Ordinal) ? parameters[0] : parameters[0] + "=";
        }

        Array.Sort(parameters, StringComparer.Ordinal);
        return string.Join('&', parameters.Select(parameter => parameter.Contains('=', StringComparison.Ordinal) ? parameter : parameter + "="));
    }

    private byte[] KeyFor(string date, string secretAccessKey)
    {
        var key = _key;
        if (key is not null && key.Date == date && string.Equals(key.Secret, secretAccessKey, StringComparison.Ordinal))
        {
            return key.Bytes;
        }

        // kSecret -> kDate -> kRegion -> kService -> kSigning, once per day (and per secret, for rotated credentials).
        var derived = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        derived = HMACSHA256.HashData(derived, Encoding.UTF8.GetBytes(_region));
        derived = HMACSHA256.HashData(derived, Encoding.UTF8.GetBytes(_service));
        derived = HMACSHA256.HashData(derived, "aws4_request"u8);
        _key = new SigningKey(date, secretAccessKey, derived);
        return derived;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private sealed record SigningKey(string Date, string Secret, byte[] Bytes);
}
