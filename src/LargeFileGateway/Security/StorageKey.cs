using System.Buffers;
using System.Globalization;
using System.Text;

namespace LargeFileGateway.Security;

/// <summary>
/// Turns the path a client asked for into a storage key, once, before anything touches storage.
/// </summary>
/// <remarks>
/// Kestrel has already percent-decoded the path (all but <c>%2F</c>) and removed dot segments. This is the second,
/// stricter line: it never decodes again (decoding twice is how <c>%252e%252e</c> attacks work, CVE-2021-42013) and
/// instead refuses what a decoded path must not contain. Containment in the root, symlinks and existence are
/// checked by the provider against the real file system.
/// </remarks>
internal static class StorageKey
{
    /// <summary>Longest key accepted, in UTF-8 bytes: Linux's PATH_MAX (4096) less its terminating NUL.</summary>
    public const int MaxLengthBytes = 4095;

    /// <summary>Longest single segment, in UTF-8 bytes: NAME_MAX of Linux (ext4, XFS, Btrfs alike).</summary>
    public const int MaxSegmentBytes = 255;

    // Refused everywhere: a backslash (a separator on Windows and a classic traversal trick elsewhere) and U+FFFD,
    // what a lossy decoder leaves for invalid UTF-8.
    private static readonly SearchValues<char> ForbiddenEverywhere = SearchValues.Create("\\\uFFFD");

    // Refused on Windows only: ':' starts drive letters and NTFS alternate streams, '*', '?', '<', '>', '|' and '"'
    // are wildcards or invalid there. On Linux they are ordinary characters of a file name.
    private static readonly SearchValues<char> ForbiddenOnWindows = SearchValues.Create("\\\uFFFD:*?<>|\"");

    public static StorageKeyVerdict TryNormalize(string? requestedPath, out string key)
        => TryNormalize(requestedPath, OperatingSystem.IsWindows(), out key);

    /// <summary>The rules of one platform, chosen explicitly (tests check Windows' rules on Linux too).</summary>
    internal static StorageKeyVerdict TryNormalize(string? requestedPath, bool windowsRules, out string key)
    {
        key = string.Empty;
        if (string.IsNullOrEmpty(requestedPath))
        {
            return StorageKeyVerdict.Hidden;
        }

        var forbidden = windowsRules ? ForbiddenOnWindows : ForbiddenEverywhere;
        if (requestedPath.AsSpan().IndexOfAny(forbidden) >= 0
            || ContainsControlCharacter(requestedPath)
            || ContainsDangerousEscape(requestedPath))
        {
            return StorageKeyVerdict.Malformed;
        }

        // Counted in bytes, as the kernel counts: 128 x 'é' is 128 characters but 256 bytes (ENAMETOOLONG).
        if (Encoding.UTF8.GetByteCount(requestedPath) > MaxLengthBytes)
        {
            return StorageKeyVerdict.TooLong;
        }

        var segments = new List<string>();
        foreach (var segment in requestedPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            // Kestrel removes dot segments, so one arriving here was smuggled past it: refuse, do not resolve.
            if (segment is "." or "..")
            {
                return StorageKeyVerdict.Malformed;
            }

            if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
            {
                return StorageKeyVerdict.TooLong;
            }

            // Dotfiles and everything inside a dot-directory (.git/config, .env) are never served.
            if (segment[0] == '.')
            {
                return StorageKeyVerdict.Hidden;
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            return StorageKeyVerdict.Hidden;
        }

        key = string.Join('/', segments);
        return StorageKeyVerdict.Valid;
    }

    private static bool ContainsControlCharacter(string path)
    {
        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    // A literal "%41" (sent as %2541) is an ordinary name and is served as such: the key is never decoded again.
    // Refused are the escapes that would be dangerous if anything downstream ever did decode it: the separators
    // Kestrel leaves encoded (%2F, %5C), a dot (%2E, a smuggled dot segment), another escape (%25, the start of a
    // triple encoding), a control character or NUL (%00-%1F, %7F), and the overlong UTF-8 lead bytes %C0 and %C1
    // that old decoders turned into '.' and '/'.
    private static bool ContainsDangerousEscape(string path)
    {
        for (var i = path.IndexOf('%'); i >= 0 && i + 2 < path.Length; i = path.IndexOf('%', i + 1))
        {
            if (char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                var value = byte.Parse(path.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                if (value is (byte)'/' or (byte)'\\' or (byte)'.' or (byte)'%' or < 0x20 or 0x7F or 0xC0 or 0xC1)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
