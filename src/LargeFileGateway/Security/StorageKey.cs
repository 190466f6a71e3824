using System.Buffers;

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
    /// <summary>Longest key accepted, in UTF-16 code units; far above real names, well below header limits.</summary>
    public const int MaxLength = 4096;

    /// <summary>Longest single segment; most file systems stop at 255 bytes.</summary>
    public const int MaxSegmentLength = 255;

    // Characters that never belong in a decoded key: a backslash is a separator on Windows (and a classic
    // traversal trick everywhere), ':' starts drive letters and NTFS streams, '*', '?', '<', '>' and '|' are
    // wildcards or invalid on Windows, and U+FFFD is what a lossy decoder leaves for invalid UTF-8.
    private static readonly SearchValues<char> ForbiddenCharacters = SearchValues.Create("\\:*?<>|\uFFFD");

    public static StorageKeyVerdict TryNormalize(string? requestedPath, out string key)
    {
        key = string.Empty;
        if (string.IsNullOrEmpty(requestedPath))
        {
            return StorageKeyVerdict.Hidden;
        }

        if (requestedPath.Length > MaxLength
            || requestedPath.AsSpan().IndexOfAny(ForbiddenCharacters) >= 0
            || ContainsControlCharacter(requestedPath)
            || ContainsPercentEncoding(requestedPath))
        {
            return StorageKeyVerdict.Malformed;
        }

        var segments = new List<string>();
        foreach (var segment in requestedPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            // Kestrel removes dot segments, so one arriving here was smuggled past it: refuse, do not resolve.
            if (segment is "." or ".." || segment.Length > MaxSegmentLength)
            {
                return StorageKeyVerdict.Malformed;
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

    // An already-decoded path holding "%XX" either was double-encoded (%252e → %2e) or kept an encoded
    // separator (%2F) or invalid UTF-8 (%C0%AE) that Kestrel refused to decode. None is a name we serve.
    private static bool ContainsPercentEncoding(string path)
    {
        for (var i = path.IndexOf('%'); i >= 0; i = path.IndexOf('%', i + 1))
        {
            if (i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                return true;
            }
        }

        return false;
    }
}
