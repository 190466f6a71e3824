using System.Text;
using LargeFileGateway.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace LargeFileGateway.UnitTests.Http;

public sealed class MultipartByteRangesTests
{
    public static TheoryData<long[]> RangeSets => new()
    {
        new long[] { 0, 0, 5, 9 },
        new long[] { 90, 99, 0, 9 },
        new long[] { 0, 0, 2, 2, 4, 4, 6, 6, 8, 8 },
        new long[] { 10, 49, 60, 60 },
    };

    [Theory]
    [MemberData(nameof(RangeSets))]
    public async Task ContentLength_EqualsTheBodyThatIsWritten_AndTheFramingParsesBackToTheRanges(long[] bounds)
    {
        var file = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var ranges = Enumerable.Range(0, bounds.Length / 2).Select(i => new ByteRange(bounds[2 * i], bounds[(2 * i) + 1])).ToList();
        var multipart = new MultipartByteRanges(ranges, "application/octet-stream", file.Length);

        var body = Write(multipart, file);
        var parts = await ReadPartsAsync(body, multipart.Boundary);

        Assert.Equal(multipart.ContentLength, body.Length);
        Assert.Equal($"multipart/byteranges; boundary={multipart.Boundary}", multipart.ContentType);
        Assert.Equal(ranges.Count, parts.Count);
        for (var i = 0; i < ranges.Count; i++)
        {
            Assert.Equal("application/octet-stream", parts[i].ContentType);
            Assert.Equal($"bytes {ranges[i].First}-{ranges[i].Last}/100", parts[i].ContentRange);
            Assert.Equal(file[(int)ranges[i].First..((int)ranges[i].Last + 1)], parts[i].Body);
        }
    }

    [Fact]
    public void Framing_FollowsRfc2046_FirstDelimiterWithoutLeadingCrlf_ClosingDelimiterLast()
    {
        var multipart = new MultipartByteRanges([new ByteRange(0, 0), new ByteRange(2, 2)], "text/plain", 3);

        var first = Encoding.ASCII.GetString(multipart.PartHeader(0).Span);
        var second = Encoding.ASCII.GetString(multipart.PartHeader(1).Span);
        var closing = Encoding.ASCII.GetString(multipart.ClosingDelimiter.Span);

        Assert.Equal($"--{multipart.Boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/3\r\n\r\n", first);
        Assert.Equal($"\r\n--{multipart.Boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 2-2/3\r\n\r\n", second);
        Assert.Equal($"\r\n--{multipart.Boundary}--\r\n", closing);
    }

    [Fact]
    public void Boundary_IsFreshPerResponse()
    {
        var a = new MultipartByteRanges([new ByteRange(0, 0), new ByteRange(2, 2)], "text/plain", 3);
        var b = new MultipartByteRanges([new ByteRange(0, 0), new ByteRange(2, 2)], "text/plain", 3);

        Assert.NotEqual(a.Boundary, b.Boundary);
        Assert.Equal(32, a.Boundary.Length);
    }

    private static byte[] Write(MultipartByteRanges multipart, byte[] file)
    {
        using var body = new MemoryStream();
        for (var i = 0; i < multipart.Ranges.Count; i++)
        {
            body.Write(multipart.PartHeader(i).Span);
            var range = multipart.Ranges[i];
            body.Write(file, (int)range.First, (int)range.Length);
        }

        body.Write(multipart.ClosingDelimiter.Span);
        return body.ToArray();
    }

    private static async Task<List<(string? ContentType, string? ContentRange, byte[] Body)>> ReadPartsAsync(byte[] body, string boundary)
    {
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        var parts = new List<(string?, string?, byte[])>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var data = new MemoryStream();
            await section.Body.CopyToAsync(data);
            section.Headers!.TryGetValue("Content-Range", out var range);
            parts.Add((section.ContentType, range.ToString(), data.ToArray()));
        }

        return parts;
    }
}
