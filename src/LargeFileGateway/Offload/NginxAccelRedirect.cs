using System.Text.RegularExpressions;
using LargeFileGateway.Configuration;
using LargeFileGateway.Http;
using LargeFileGateway.Observability;
using LargeFileGateway.Security;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Offload;

/// <summary>
/// X-Accel-Redirect offload: the gateway has decided everything (path, preconditions, headers) and nginx sends
/// the bytes of the local file with sendfile, from its <c>internal</c> location (see <c>nginx/</c>).
/// </summary>
/// <remarks>
/// nginx answers a redirected request with its own static-file code: status, Content-Length, Content-Range and
/// the range and conditional checks come from nginx, the other headers from the gateway. Offload therefore only
/// happens when nginx is certain to give the answer the gateway would give: the whole file, or one plain range the
/// gateway honours. Everything else (multipart, a Range the gateway ignores, If-Match, whose check nginx would run
/// against a validator it does not have, and If-Range, whose check nginx would run against the validator of a file
/// it reopened by name) is streamed by the gateway as usual. nginx's own ETag is switched off in
/// the internal location and the gateway's is sent instead, so validators are the same in both modes.
/// </remarks>
internal sealed partial class NginxAccelRedirect
{
    public const string HeaderName = "X-Accel-Redirect";

    /// <summary>The rate in bytes per second nginx sends an offloaded answer at (it reads it from the upstream answer).</summary>
    public const string LimitRateHeaderName = "X-Accel-Limit-Rate";

    private readonly string _internalPrefix;
    private readonly ILogger _logger;

    public NginxAccelRedirect(IOptions<OffloadOptions> options, ILogger<NginxAccelRedirect> logger)
    {
        IsEnabled = options.Value.Mode == OffloadMode.NginxAccelRedirect;
        _internalPrefix = options.Value.InternalPrefix;
        _logger = logger;
    }

    public bool IsEnabled { get; }

    /// <summary>
    /// The internal URI nginx should send <paramref name="key"/> from, or null when the gateway sends the body itself:
    /// offload is off, the request did not come through a trusted proxy (a client that reaches an instance directly
    /// would receive an empty 200 and save it as a complete zero-byte file), or nginx would not answer exactly as
    /// the gateway decided. Decided before any header is written.
    /// </summary>
    public string? PlanRedirect(HttpContext context, string key, RangeRequest ranges)
    {
        if (!IsEnabled)
        {
            return null;
        }

        var reason = context.Features.Get<ProxiedRequestFeature>()?.FromTrustedProxy == true
            ? ReasonToSendDirectly(context.Request.Headers, ranges)
            : "not through a trusted proxy";
        if (reason is not null)
        {
            Log.OffloadDeclined(_logger, key, reason);
            return null;
        }

        var uri = InternalUri(_internalPrefix, key);
        Log.OffloadedToNginx(_logger, key, uri);
        return uri;
    }

    /// <summary>Null when nginx's answer to this request equals the gateway's; otherwise why it would not.</summary>
    public static string? ReasonToSendDirectly(IHeaderDictionary requestHeaders, RangeRequest ranges)
    {
        // nginx checks If-Match against its own ETag, which is off in the internal location: it would answer 412.
        if (requestHeaders.ContainsKey(HeaderNames.IfMatch))
        {
            return "If-Match";
        }

        // A resume. nginx opens the file again by name and compares If-Range with the gateway's ETag it was handed,
        // not with the file it opened: a file renamed over the checked one in between would be sent as the rest of
        // the old version. The gateway streams it from the very file it validated.
        if (requestHeaders.ContainsKey(HeaderNames.IfRange))
        {
            return "If-Range";
        }

        var range = requestHeaders.Range;
        if (range.Count == 0)
        {
            return ranges.Kind == RangeKind.None ? null : "range without a Range field";
        }

        // One plain range the gateway honours is honoured by nginx too (same If-Range validators). Anything
        // fancier (several ranges, spaces, huge numbers) nginx parses its own way, so the gateway answers.
        if (ranges.Kind == RangeKind.Single && range.Count == 1 && PlainSingleRange().IsMatch(range[0]!))
        {
            return null;
        }

        return ranges.Kind switch
        {
            RangeKind.Multiple => "multipart/byteranges",
            RangeKind.Single => "Range not in its plain single form",
            _ => "Range present but ignored",
        };
    }

    /// <summary>
    /// The URI nginx is sent to: the prefix, then the key with each segment percent-encoded. nginx decodes it
    /// once, so spaces, '%', '#', '?' and non-ASCII names reach the file system unchanged, and a '?' in a name
    /// cannot start arguments.
    /// </summary>
    public static string InternalUri(string internalPrefix, string key)
        => internalPrefix + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    // nginx's range parser reads "bytes=" then first-last, first- or -suffix; at most 18 digits stay clear of
    // its overflow check, which answers 416 where the gateway would clip.
    [GeneratedRegex(@"^bytes=(?:[0-9]{1,18}-[0-9]{0,18}|-[0-9]{1,18})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PlainSingleRange();
}
