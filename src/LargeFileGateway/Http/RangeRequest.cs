namespace LargeFileGateway.Http;

/// <summary>
/// The ranges a response will carry, decided from the Range field and the representation length alone.
/// </summary>
internal sealed class RangeRequest
{
    public static readonly RangeRequest WholeRepresentation = new(RangeKind.None, []);
    public static readonly RangeRequest Unsatisfiable = new(RangeKind.Unsatisfiable, []);

    private RangeRequest(RangeKind kind, IReadOnlyList<ByteRange> ranges)
    {
        Kind = kind;
        Ranges = ranges;
    }

    public RangeKind Kind { get; }

    /// <summary>The ranges to send, in the order the client asked for them (empty unless 206).</summary>
    public IReadOnlyList<ByteRange> Ranges { get; }

    /// <summary>
    /// Resolves a Range field value against <paramref name="completeLength"/>. Invalid syntax, an unknown unit
    /// or more than <paramref name="maxRanges"/> ranges after coalescing give <see cref="WholeRepresentation"/>.
    /// </summary>
    public static RangeRequest Resolve(string? rangeHeader, long completeLength, int maxRanges)
    {
        if (string.IsNullOrEmpty(rangeHeader))
        {
            return WholeRepresentation;
        }

        if (maxRanges >= 1 && RangeHeaderParser.TryParseSingle(rangeHeader, out var single))
        {
            // One range-spec, what download managers and players send: no lists to parse into and coalesce
            // (about 350 B per request, benchmarks/RESULTS.md tuning item 24).
            return single.Resolve(completeLength) is { } only ? new RangeRequest(RangeKind.Single, new[] { only }) : Unsatisfiable;
        }

        if (!RangeHeaderParser.TryParse(rangeHeader, out var specs))
        {
            return WholeRepresentation;
        }

        var satisfiable = new List<(ByteRange Range, int Order)>(specs.Count);
        for (var i = 0; i < specs.Count; i++)
        {
            // RFC 9110 §15.5.17: 416 only when *no* range overlaps; unsatisfiable members are dropped.
            if (specs[i].Resolve(completeLength) is { } range)
            {
                satisfiable.Add((range, i));
            }
        }

        if (satisfiable.Count == 0)
        {
            return Unsatisfiable;
        }

        var ranges = Coalesce(satisfiable);

        // RFC 9110 §14.2 lets a server ignore egregious requests. After coalescing, ranges never add up to more
        // than the file; a count above the cap is still refused so that one request cannot cost hundreds of
        // storage reads and part headers (CVE-2011-3192). Go and Apache do the same with 200.
        if (ranges.Count > maxRanges)
        {
            return WholeRepresentation;
        }

        return new RangeRequest(ranges.Count == 1 ? RangeKind.Single : RangeKind.Multiple, ranges);
    }

    /// <summary>
    /// Merges overlapping and adjacent ranges (RFC 9110 §14.2 allows coalescing) and keeps the remaining ones in
    /// request order, as RFC 9110 §15.3.7.2 asks: a merged range takes the place of its earliest member.
    /// </summary>
    private static List<ByteRange> Coalesce(List<(ByteRange Range, int Order)> ranges)
    {
        if (ranges.Count == 1)
        {
            return [ranges[0].Range];
        }

        ranges.Sort(static (a, b) => a.Range.First.CompareTo(b.Range.First));
        var merged = new List<(ByteRange Range, int Order)>(ranges.Count) { ranges[0] };
        for (var i = 1; i < ranges.Count; i++)
        {
            var (current, order) = merged[^1];
            var next = ranges[i];
            if (next.Range.First <= current.Last + 1)
            {
                merged[^1] = (new ByteRange(current.First, Math.Max(current.Last, next.Range.Last)), Math.Min(order, next.Order));
            }
            else
            {
                merged.Add(next);
            }
        }

        merged.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        return merged.ConvertAll(static m => m.Range);
    }
}
