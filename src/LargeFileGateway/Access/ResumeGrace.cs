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
    {
        if (!HttpMethods.IsGet(request.Method) || request.Headers.Range.Count == 0)
        {
            return false;
        }

        var ifRange = request.Headers.IfRange;
        if (ifRange.Count != 1 || !EntityTagHeaderValue.TryParse(ifRange[0], out var validator))
        {
            return false;
        }

        return !validator.IsWeak && !representation.ETag.IsWeak && validator.Compare(representation.ETag, useStrongComparison: true);
    }
}
