using System.Globalization;

namespace LargeFileGateway.Http;

/// <summary>A satisfiable byte range of a representation: inclusive first and last positions (RFC 9110 §14.1.1).</summary>
internal readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>The <c>Content-Range</c> value for this range: <c>bytes 0-1/62</c> (RFC 9110 §14.4).</summary>
    /// <remarks>
    /// Formatted into the one string it becomes: <c>ContentRangeHeaderValue.ToString</c>, the same text, builds it
    /// in a StringBuilder, about 500 B per 206 (benchmarks/RESULTS.md tuning item 24).
    /// </remarks>
    public string ToContentRange(long completeLength) => string.Create(CultureInfo.InvariantCulture, $"bytes {First}-{Last}/{completeLength}");

    /// <summary>The <c>Content-Range</c> of a 416: <c>bytes */62</c> (RFC 9110 §15.5.17).</summary>
    public static string UnsatisfiedContentRange(long completeLength) => string.Create(CultureInfo.InvariantCulture, $"bytes */{completeLength}");
}
