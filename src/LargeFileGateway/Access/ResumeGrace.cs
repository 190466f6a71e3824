using LargeFileGateway.Representations;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Access;

/// <summary>
/// An expired link still serves a resume of the same version within <c>Gateway:Access:ResumeGrace</c>: the request
/// carries a <c>Range</c> and an <c>If-Range</c> that is a strong entity tag equal to the current one (RFC 9110
/// §13.1.5 makes the client say which version it holds). Anything else expired is refused: a new download, a HEAD,
/// a resume against a date, or a resume of bytes that changed since.
/// </summary>
internal static class ResumeGrace
{
    public static bool IsResumeOf(HttpRequest request, Representation representation)
        => TryReadResumedVersion(request, out var validator)
            && !representation.ETag.IsWeak && validator.Compare(representation.ETag, useStrongComparison: true);

    /// <summary>
    /// Whether the request has the shape of a resume (a GET with a Range and one strong If-Range), which the link
    /// verifier checks before any storage call: an expired link on anything else is refused without a lookup.
    /// </summary>
    public static bool CouldBeResume(HttpRequest request) => TryReadResumedVersion(request, out _);

    private static bool TryReadResumedVersion(HttpRequest request, out EntityTagHeaderValue validator)
    {
        validator = null!;
        if (!HttpMethods.IsGet(request.Method) || request.Headers.Range.Count == 0)
        {
            return false;
        }

        var ifRange = request.Headers.IfRange;
        return ifRange.Count == 1 && EntityTagHeaderValue.TryParse(ifRange[0], out validator!) && !validator.IsWeak;
    }
}
