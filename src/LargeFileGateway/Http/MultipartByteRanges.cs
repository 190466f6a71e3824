using System.Security.Cryptography;
using System.Text;

namespace LargeFileGateway.Http;

/// <summary>
/// The framing of a <c>multipart/byteranges</c> body (RFC 9110 §14.6, RFC 2046 §5.1): a boundary, one header
/// block per part and the closing delimiter, all computed before the first byte so that Content-Length is exact.
/// </summary>
internal sealed class MultipartByteRanges
{
    private readonly byte[][] _partHeaders;
    private readonly byte[] _closingDelimiter;

    public MultipartByteRanges(IReadOnlyList<ByteRange> ranges, string partContentType, long completeLength)
    {
        // 16 random bytes: a boundary that cannot be guessed, so file contents cannot forge a part (RFC 2046 §5.1.1).
        Boundary = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Ranges = ranges;
        _partHeaders = new byte[ranges.Count][];
        long contentLength = 0;
        for (var i = 0; i < ranges.Count; i++)
        {
            // The CRLF that ends a part's data belongs to the next delimiter, so the first part has none before it.
            var header = $"{(i == 0 ? string.Empty : "\r\n")}--{Boundary}\r\nContent-Type: {partContentType}\r\nContent-Range: {ranges[i].ToContentRange(completeLength)}\r\n\r\n";
            _partHeaders[i] = Encoding.ASCII.GetBytes(header);
            contentLength += _partHeaders[i].Length + ranges[i].Length;
        }

        _closingDelimiter = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
        ContentLength = contentLength + _closingDelimiter.Length;
    }

    public string Boundary { get; }

    public IReadOnlyList<ByteRange> Ranges { get; }

    /// <summary>The exact length of the whole multipart body.</summary>
    public long ContentLength { get; }

    public string ContentType => $"multipart/byteranges; boundary={Boundary}";

    public ReadOnlyMemory<byte> PartHeader(int index) => _partHeaders[index];

    public ReadOnlyMemory<byte> ClosingDelimiter => _closingDelimiter;
}
