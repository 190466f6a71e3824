namespace LargeFileGateway.Http;

/// <summary>A satisfiable byte range of a representation: inclusive first and last positions (RFC 9110 §14.1.1).</summary>
internal readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>The <c>Content-Range</c> value for this range: <c>bytes 0-1/62</c> (RFC 9110 §14.4).</summary>
    public string ToContentRange(long completeLength) => $"bytes {First}-{Last}/{completeLength}";
}
