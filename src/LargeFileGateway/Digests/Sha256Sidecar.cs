using System.Text;

namespace LargeFileGateway.Digests;

/// <summary>
/// A publisher's checksum file next to the data (<c>name.sha256</c>), in the format <c>sha256sum</c> writes and
/// <c>sha256sum -c</c> reads: one line per file, 64 hex digits, a space, a space or '*' (binary mode), the name.
/// </summary>
internal static class Sha256Sidecar
{
    public const string Suffix = ".sha256";

    private const int HexLength = 64;

    /// <summary>The key of the sidecar that describes <paramref name="key"/>.</summary>
    public static string KeyOf(string key) => key + Suffix;

    /// <summary>
    /// The SHA-256 the sidecar gives for <paramref name="fileName"/>: the line that names it, or the only line when
    /// the file has one line (<c>sha256sum big.iso &gt; big.iso.sha256</c> run elsewhere may name a path). Null when
    /// no line gives one.
    /// </summary>
    public static byte[]? Find(ReadOnlySpan<byte> content, string fileName)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        byte[]? only = null;
        var lines = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            lines++;
            if (!TryParseLine(line, out var digest, out var name))
            {
                continue;
            }

            if (string.Equals(name, fileName, StringComparison.Ordinal) || string.Equals(name[(name.LastIndexOf('/') + 1)..], fileName, StringComparison.Ordinal))
            {
                return digest;
            }

            only = digest;
        }

        return lines == 1 ? only : null;
    }

    /// <summary>The line <c>sha256sum -c</c> checks: lower-case hex, two spaces, the name.</summary>
    public static string Line(byte[] sha256, string fileName) => Convert.ToHexStringLower(sha256) + "  " + fileName + "\n";

    private static bool TryParseLine(string line, out byte[] digest, out string name)
    {
        (digest, name) = (null!, string.Empty);
        if (line.Length < HexLength + 2 || line[HexLength] != ' ' || line[HexLength + 1] is not (' ' or '*'))
        {
            return false;
        }

        var hex = line.AsSpan(0, HexLength);
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        digest = Convert.FromHexString(hex);
        name = line[(HexLength + 2)..];
        return true;
    }
}
