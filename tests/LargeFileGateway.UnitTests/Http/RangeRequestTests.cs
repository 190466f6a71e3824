using LargeFileGateway.Http;

namespace LargeFileGateway.UnitTests.Http;

/// <summary>RFC 9110 §14 range resolution, in the table style of Go's ParseRangeTests and Apache's byterange tests.</summary>
public sealed class RangeRequestTests
{
    private const int MaxRanges = 16;

    [Theory]
    // Single ranges on a 10,000-byte file (nginx range.t, Go fs_test vectors).
    [InlineData("bytes=0-1", 10_000, "0-1")]
    [InlineData("bytes=0-0", 10_000, "0-0")]
    [InlineData("bytes=0-8", 10_000, "0-8")]
    [InlineData("bytes=-10", 10_000, "9990-9999")]
    [InlineData("bytes=9990-", 10_000, "9990-9999")]
    [InlineData("bytes=9990-19990", 10_000, "9990-9999")]
    [InlineData("bytes=0-", 10_000, "0-9999")]
    [InlineData("bytes=-20000", 10_000, "0-9999")]
    [InlineData("bytes=9999-9999", 10_000, "9999-9999")]
    [InlineData("BYTES=0-1", 10_000, "0-1")]
    [InlineData("bytes= 0-1", 10_000, "0-1")]
    [InlineData("bytes=0-1 ", 10_000, "0-1")]
    // Numbers beyond 64 bits clip instead of overflowing (MS15-034, CVE-2017-7529).
    [InlineData("bytes=0-18446744073709551615", 10_000, "0-9999")]
    [InlineData("bytes=0-999999999999999999999999999999", 10_000, "0-9999")]
    [InlineData("bytes=-9223372036854775808", 10_000, "0-9999")]
    [InlineData("bytes=-999999999999999999999999999999", 10_000, "0-9999")]
    // Unsatisfiable members are dropped when another one overlaps (RFC 9110 §15.5.17).
    [InlineData("bytes=10000-,0-1", 10_000, "0-1")]
    [InlineData("bytes=100000-110000,1000-2000", 10_000, "1000-2000")]
    // One-byte file (ASP.NET Core and Go vectors).
    [InlineData("bytes=0-0", 1, "0-0")]
    [InlineData("bytes=0-", 1, "0-0")]
    [InlineData("bytes=-1", 1, "0-0")]
    [InlineData("bytes=-2", 1, "0-0")]
    [InlineData("bytes=0-2", 1, "0-0")]
    // Ranges past 4 GiB on a 5 GiB representation.
    [InlineData("bytes=4294967296-4294967305", 5L << 30, "4294967296-4294967305")]
    [InlineData("bytes=-1", 5L << 30, "5368709119-5368709119")]
    public void Resolve_SingleRange_SelectsExpectedBytes(string header, long length, string expected)
    {
        var result = RangeRequest.Resolve(header, length, MaxRanges);

        Assert.Equal(RangeKind.Single, result.Kind);
        Assert.Equal(expected, Format(result));
    }

    [Theory]
    // Invalid syntax or an unknown unit: the field is ignored and the whole file is sent (RFC 9110 §14.2).
    [InlineData("")]
    [InlineData("bytes")]
    [InlineData("bytes=")]
    [InlineData("bytes=,")]
    [InlineData("bytes=alpha")]
    [InlineData("bytes=10-alpha")]
    [InlineData("bytes=10")]
    [InlineData("bytes=7-1")]
    [InlineData("bytes=1-4,x")]
    [InlineData("bytes=1-4,5-2")]
    [InlineData("bytes=-")]
    [InlineData("bytes=a-")]
    [InlineData("bytes=-b")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0 - 9")]
    [InlineData("bytes=0 -9")]
    [InlineData("bytes=10-11 12-")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=-1-2")]
    [InlineData("bytes=0x10-0x20")]
    [InlineData("items=0-5")]
    [InlineData("0-5")]
    [InlineData("=0-5")]
    [InlineData("bytes 0-5")]
    public void Resolve_InvalidOrUnknownUnit_IgnoresRange(string header)
    {
        var result = RangeRequest.Resolve(header, 10_000, MaxRanges);

        Assert.Equal(RangeKind.None, result.Kind);
        Assert.Empty(result.Ranges);
    }

    [Theory]
    [InlineData("bytes=10000-", 10_000)]
    [InlineData("bytes=10000-10001", 10_000)]
    [InlineData("bytes=100000-110000", 10_000)]
    [InlineData("bytes=-0", 10_000)]
    [InlineData("bytes=9223372036854775807-", 10_000)]
    [InlineData("bytes=99999999999999999999999-", 10_000)]
    [InlineData("bytes=10000-,20000-", 10_000)]
    [InlineData("bytes=0-0", 0)]
    [InlineData("bytes=-1", 0)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=1-", 1)]
    public void Resolve_NoRangeOverlaps_IsUnsatisfiable(string header, long length)
    {
        var result = RangeRequest.Resolve(header, length, MaxRanges);

        Assert.Equal(RangeKind.Unsatisfiable, result.Kind);
    }

    [Theory]
    // Disjoint ranges stay in request order (RFC 9110 §15.3.7.2).
    [InlineData("bytes=0-9,-10,10-19", 1000, "0-19,990-999")]
    [InlineData("bytes=0-1,5-8", 11, "0-1,5-8")]
    [InlineData("bytes=0-1,5-", 11, "0-1,5-10")]
    [InlineData("bytes=0-0,-2", 11, "0-0,9-10")]
    [InlineData("bytes=500-599,0-99", 1000, "500-599,0-99")]
    [InlineData("bytes=0-1 , 3-4", 1000, "0-1,3-4")]
    [InlineData("bytes=0-1,,3-4", 1000, "0-1,3-4")]
    // Overlapping and adjacent ranges are coalesced into the place of the earliest member.
    [InlineData("bytes=500-599,0-99,50-150", 1000, "500-599,0-150")]
    [InlineData("bytes=0-99,100-199,300-399", 1000, "0-199,300-399")]
    public void Resolve_SeveralRanges_CoalescesAndKeepsOrder(string header, long length, string expected)
    {
        var result = RangeRequest.Resolve(header, length, MaxRanges);

        Assert.Equal(RangeKind.Multiple, result.Kind);
        Assert.Equal(expected, Format(result));
    }

    [Theory]
    // Overlaps that collapse into one range become a single 206 (never larger than the file).
    [InlineData("bytes=0-,1-,2-,3-,4-", 10_000, "0-9999")]
    [InlineData("bytes=0-10001,0-0", 10_000, "0-9999")]
    [InlineData("bytes=0-4,2-6,5-9", 10_000, "0-9")]
    [InlineData("bytes=0-0,1-1,2-2", 10_000, "0-2")]
    public void Resolve_OverlappingRanges_CoalesceIntoOne(string header, long length, string expected)
    {
        var result = RangeRequest.Resolve(header, length, MaxRanges);

        Assert.Equal(RangeKind.Single, result.Kind);
        Assert.Equal(expected, Format(result));
    }

    [Fact]
    public void Resolve_MoreDisjointRangesThanTheCap_IgnoresRange()
    {
        var header = "bytes=" + string.Join(',', Enumerable.Range(0, MaxRanges + 1).Select(i => $"{i * 10}-{i * 10}"));

        var result = RangeRequest.Resolve(header, 10_000, MaxRanges);

        Assert.Equal(RangeKind.None, result.Kind);
    }

    [Fact]
    public void Resolve_ExactlyTheCap_IsServedAsMultipart()
    {
        var header = "bytes=" + string.Join(',', Enumerable.Range(0, MaxRanges).Select(i => $"{i * 10}-{i * 10}"));

        var result = RangeRequest.Resolve(header, 10_000, MaxRanges);

        Assert.Equal(RangeKind.Multiple, result.Kind);
        Assert.Equal(MaxRanges, result.Ranges.Count);
    }

    [Fact]
    public void Resolve_ApacheKillerManyOverlaps_CoalescesToOneRange()
    {
        // CVE-2011-3192: hundreds of overlapping ranges must not become hundreds of parts.
        var header = "bytes=0-," + string.Join(',', Enumerable.Range(1, 900).Select(i => $"5-{5 + i}"));

        var result = RangeRequest.Resolve(header, 10_000, MaxRanges);

        Assert.Equal(RangeKind.Single, result.Kind);
        Assert.Equal("0-9999", Format(result));
    }

    [Fact]
    public void Resolve_ApacheKillerReversedRanges_IgnoresRange()
    {
        // The original CVE-2011-3192 payload: "5-0" is reversed, which makes the whole field invalid.
        var header = "bytes=0-," + string.Join(',', Enumerable.Range(0, 1300).Select(i => $"5-{i}"));

        var result = RangeRequest.Resolve(header, 10_000, MaxRanges);

        Assert.Equal(RangeKind.None, result.Kind);
    }

    [Fact]
    public void Resolve_MoreSpecsThanParserLimit_IgnoresRange()
    {
        var header = "bytes=" + string.Join(',', Enumerable.Repeat("0-1", RangeHeaderParser.MaxRangeSpecs + 1));

        var result = RangeRequest.Resolve(header, 10_000, MaxRanges);

        Assert.Equal(RangeKind.None, result.Kind);
    }

    [Fact]
    public void Resolve_RepeatedPairsOfRanges_CoalescesToTwo()
    {
        var header = "bytes=" + string.Join(',', Enumerable.Repeat("0-1,3-4", 200));

        var result = RangeRequest.Resolve(header, 10_000, MaxRanges);

        Assert.Equal("0-1,3-4", Format(result));
    }

    private static string Format(RangeRequest request) => string.Join(',', request.Ranges.Select(r => $"{r.First}-{r.Last}"));
}
