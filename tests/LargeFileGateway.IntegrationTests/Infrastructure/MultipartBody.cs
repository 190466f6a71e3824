using System.Text;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Splits a <c>multipart/byteranges</c> body (RFC 9110 §14.6) into its parts, strictly, for assertions.</summary>
public static class MultipartBody
{
    public sealed record Part(string ContentRange, byte[] Data);

    public static IReadOnlyList<Part> Parse(byte[] body, string boundary)
    {
        var parts = new List<Part>();
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var position = IndexOf(body, delimiter, 0);
        Assert.True(position >= 0, "no boundary in the body");
        while (true)
        {
            position += delimiter.Length;
            if (body.AsSpan(position).StartsWith("--"u8))
            {
                return parts;
            }

            var headersEnd = IndexOf(body, "\r\n\r\n"u8.ToArray(), position);
            var headers = Encoding.ASCII.GetString(body, position, headersEnd - position);
            var contentRange = headers.Split("\r\n").Single(h => h.StartsWith("Content-Range:", StringComparison.OrdinalIgnoreCase))["Content-Range:".Length..].Trim();
            var dataStart = headersEnd + 4;
            var next = IndexOf(body, [.. "\r\n"u8, .. delimiter], dataStart);
            Assert.True(next >= 0, "a part is not closed by a delimiter");
            parts.Add(new Part(contentRange, body[dataStart..next]));
            position = next + 2;
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int start)
    {
        var index = haystack.AsSpan(start).IndexOf(needle);
        return index < 0 ? -1 : start + index;
    }
}
