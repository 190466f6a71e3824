using System.Globalization;
using System.Text;
using LargeFileGateway.Access;
using LargeFileGateway.Representations;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Digests;

/// <summary>
/// <c>GET /files/{key}.sha256</c> when storage has no such file: the line <c>sha256sum -c</c> checks
/// (<c>hex  name</c>), from the store, or 503 with Retry-After while the digest is still being learnt (the request
/// queues it). A sidecar that exists in storage is a file like any other and is served as it is.
/// </summary>
/// <remarks>
/// Access: the <c>.sha256</c> key went through the access step as itself (a link signed for it, a token that covers
/// it). The answer also tells something about the file, so the file's own policy must pass too: when it differs from
/// the <c>.sha256</c> key's (a rule for that one file), the proof is checked against the file's key as well, as for a
/// link inside the root. In one folder both keys share the policy, and a proof for the <c>.sha256</c> suffices.
/// </remarks>
internal sealed class ChecksumFileAnswer
{
    private const string TextPlain = "text/plain; charset=utf-8";

    private readonly KnownDigests _digests;
    private readonly StoredFiles _files;
    private readonly AccessGate _access;
    private readonly AccessRules _rules;
    private readonly string _retryAfterSeconds;

    public ChecksumFileAnswer(KnownDigests digests, StoredFiles files, AccessGate access, AccessRules rules, TimeSpan retryAfter)
    {
        _digests = digests;
        _files = files;
        _access = access;
        _rules = rules;
        _retryAfterSeconds = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>True when <paramref name="key"/> could be the checksum file of another key (digests are on).</summary>
    public bool Covers(string key) => _digests.IsEnabled && key.Length > Sha256Sidecar.Suffix.Length
        && key.EndsWith(Sha256Sidecar.Suffix, StringComparison.Ordinal) && key[^(Sha256Sidecar.Suffix.Length + 1)] != '/';

    /// <summary>Answers the request (true), or false when there is no file to describe (the caller answers 404).</summary>
    public async Task<bool> TryAnswerAsync(HttpContext context, string key)
    {
        var fileKey = key[..^Sha256Sidecar.Suffix.Length];
        if (!_rules.IsEverythingOpen && _rules.PolicyFor(fileKey) is var policy && policy != AccessPolicy.Open && policy != _rules.PolicyFor(key)
            && !await _access.ConfirmRealKeyAsync(context, key, fileKey))
        {
            return true;
        }

        using var file = await _files.FindAsync(fileKey, context.RequestAborted);
        if (file is null)
        {
            return false;
        }

        if (!await _access.ConfirmRealKeyAsync(context, fileKey, file.RealKey))
        {
            return true;
        }

        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        if (_digests.FactsOf(file)?.Get(ContentFacts.Sha256) is not { } sha256)
        {
            response.Headers.RetryAfter = _retryAfterSeconds;
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "The checksum of this file is being computed; try again shortly.")
                .ExecuteAsync(context);
            return true;
        }

        var body = Encoding.UTF8.GetBytes(Sha256Sidecar.Line(sha256, file.DownloadName));
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = TextPlain;
        response.ContentLength = body.Length;
        response.Headers.XContentTypeOptions = "nosniff";

        // A validator of its own: the file's, marked, so that a new version of the file is a new checksum answer.
        response.Headers.ETag = new EntityTagHeaderValue("\"" + file.ETag.Tag.Value!.Trim('"') + "-sha256\"").ToString();
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }

        return true;
    }
}
