using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Http;

/// <summary>A satisfiable byte range of a representation: inclusive first and last positions (RFC 9110 §14.1.1).</summary>
internal readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>The <c>Content-Range</c> value for this range: <c>bytes 0-1/62</c> (RFC 9110 §14.4).</summary>
    public string ToContentRange(long completeLength) => new ContentRangeHeaderValue(First, Last, completeLength).ToString();

    /// <summary>The <c>Content-Range</c> of a 416: <c>bytes */62</c> (RFC 9110 §15.5.17).</summary>
    public static string UnsatisfiedContentRange(long completeLength) => new ContentRangeHeaderValue(completeLength).ToString();
}
