using LargeFileGateway.Downloads;
using LargeFileGateway.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LargeFileGateway.AccessLog;

/// <summary>Builds an <see cref="AccessLogEntry"/> from a request that has ended, from values it already holds.</summary>
internal static class AccessLogEntries
{
    public static AccessLogEntry Create(HttpContext context, int status, long? bytesSent, TimeSpan duration, string rangeKind, string outcome)
    {
        var request = context.Request;
        var headers = request.Headers;
        return new AccessLogEntry
        {
            Time = DateTimeOffset.UtcNow,
            RemoteAddress = context.Connection.RemoteIpAddress,
            Method = request.Method,

            // The target as sent (Kestrel keeps it), like nginx's $request: not re-encoded from the decoded path.
            // Credentials in the query are redacted: a signed link stays usable until it expires, a token longer.
            Target = RedactCredentials(context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/"),
            Protocol = request.Protocol,
            Status = status,
            BytesSent = bytesSent,
            Referer = NullIfEmpty(headers.Referer.ToString()),
            UserAgent = NullIfEmpty(headers.UserAgent.ToString()),
            Duration = duration,
            Range = NullIfEmpty(headers.Range.ToString()),
            RangeKind = rangeKind,
            Outcome = outcome,
        };
    }

    /// <summary>The range kind as logged: lower case, no allocation.</summary>
    public static string RangeKindName(RangeKind kind) => kind switch
    {
        RangeKind.Single => "single",
        RangeKind.Multiple => "multiple",
        RangeKind.Unsatisfiable => "unsatisfiable",
        _ => "none",
    };

    /// <summary>The outcome as logged; an offloaded answer is "offload" (nginx sent the body).</summary>
    public static string OutcomeName(DownloadOutcome outcome) => outcome switch
    {
        DownloadOutcome.Aborted => "aborted",
        DownloadOutcome.Failed => "failed",
        DownloadOutcome.Offloaded => "offload",
        _ => "completed",
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>The query parameters that work as credentials: a signed link's signature, the events token.</summary>
    private static readonly string[] s_credentialParameters = [Access.SignedLink.SignatureParameter, "access_token"];

    /// <summary>
    /// The target with the value of every credential parameter (<c>sig</c>, <c>access_token</c>, in any case, as the
    /// framework reads query names) replaced by <c>REDACTED</c>; the target itself when it has none (no allocation).
    /// </summary>
    public static string RedactCredentials(string target)
    {
        var query = target.IndexOf('?', StringComparison.Ordinal);
        if (query < 0 || !ContainsCredential(target.AsSpan(query + 1)))
        {
            return target;
        }

        var builder = new System.Text.StringBuilder(target.Length);
        builder.Append(target, 0, query + 1);
        var first = true;
        foreach (var pair in target[(query + 1)..].Split('&'))
        {
            if (!first)
            {
                builder.Append('&');
            }

            first = false;
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            builder.Append(IsCredential(name) ? name + "=REDACTED" : pair);
        }

        return builder.ToString();
    }

    private static bool ContainsCredential(ReadOnlySpan<char> query)
    {
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            if (IsCredential(equals < 0 ? pair : pair[..equals]))
            {
                return true;
            }
        }

        return false;
    }

    // Names as sent, percent-decoded the way the query parser would see them for the plain ASCII names in question.
    private static bool IsCredential(ReadOnlySpan<char> name)
    {
        var decoded = name.Contains('%') ? Uri.UnescapeDataString(name.ToString()).AsSpan() : name;
        foreach (var credential in s_credentialParameters)
        {
            if (decoded.Equals(credential, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
