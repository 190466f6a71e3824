namespace LargeFileGateway.Storage;

/// <summary>
/// The last check a remote provider makes before a key becomes part of an object key or a URL. Keys arrive
/// normalized by <c>Security.StorageKey</c>; a remote store has no real path to verify containment against, so
/// the provider proves it on the name itself: no empty, dot or dot-dot segment, no dotfile, no backslash.
/// </summary>
internal static class RemoteKey
{
    public static bool IsServable(string key)
    {
        if (key.Length == 0 || key.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var range in key.AsSpan().Split('/'))
        {
            var segment = key.AsSpan()[range];
            if (segment.IsEmpty || segment[0] == '.')
            {
                return false;
            }
        }

        return true;
    }
}
