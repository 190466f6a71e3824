namespace LargeFileGateway.Http;

/// <summary>
/// One range-spec exactly as the client wrote it (RFC 9110 §14.1.1), before it is resolved against a length:
/// <c>first-last</c>, <c>first-</c> (Last is null) or the suffix form <c>-length</c> (First is null).
/// Numbers too large for 64 bits are kept as <see cref="long.MaxValue"/>, so they clip instead of overflowing.
/// </summary>
internal readonly record struct RangeSpec(long? First, long? Last)
{
    public bool IsSuffix => First is null;

    /// <summary>Resolves the spec against a representation length; null when it is unsatisfiable.</summary>
    public ByteRange? Resolve(long completeLength)
    {
        if (completeLength <= 0)
        {
            return null;
        }

        if (First is not { } first)
        {
            // RFC 9110 §14.1.1: a suffix-length of zero selects nothing; a suffix longer than the
            // representation selects all of it (never first = length - suffix < 0, nginx CVE-2017-7529).
            var suffix = Last!.Value;
            if (suffix == 0)
            {
                return null;
            }

            return new ByteRange(suffix >= completeLength ? 0 : completeLength - suffix, completeLength - 1);
        }

        if (first >= completeLength)
        {
            return null;
        }

        // A last-pos at or past the end is clipped to the end (RFC 9110 §14.1.1).
        var last = Last is { } l && l < completeLength ? l : completeLength - 1;
        return new ByteRange(first, last);
    }
}
