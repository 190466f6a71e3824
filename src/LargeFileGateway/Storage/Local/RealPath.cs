using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Where a path or an open file really is, after every symbolic link on the way has been followed.
/// </summary>
/// <remarks>
/// Name checks cannot see symlinks: <c>root/link.txt → /etc/passwd</c> is a clean name. The gateway therefore
/// opens the file first and then asks the kernel which file the handle refers to (<c>/proc/self/fd</c> on Linux),
/// so a link swapped between the check and the open cannot win the race. Elsewhere it falls back to walking the
/// path and resolving each link.
/// </remarks>
internal static class RealPath
{
    private const string ProcessFileDescriptors = "/proc/self/fd/";

    /// <summary>The kernel gives up on link chains after 40 hops (ELOOP); so do we.</summary>
    private const int MaxLinksFollowed = 40;

    /// <summary>The real path of an open file, or null when it cannot be determined.</summary>
    public static string? OfHandle(SafeFileHandle handle, string openedPath)
    {
        if (OperatingSystem.IsLinux())
        {
            var descriptor = handle.DangerousGetHandle().ToInt64();
            var target = new FileInfo(ProcessFileDescriptors + descriptor).LinkTarget;
            return target is not null && Path.IsPathFullyQualified(target) ? target : null;
        }

        return OfPath(openedPath);
    }

    /// <summary>The real path of an existing file or folder, following links one component at a time; null if missing.</summary>
    public static string? OfPath(string path)
    {
        var full = Path.GetFullPath(path);
        var resolved = Path.GetPathRoot(full)!;
        var pending = new Stack<string>();
        PushSegments(pending, full[resolved.Length..]);
        var linksFollowed = 0;
        while (pending.TryPop(out var segment))
        {
            // ".." inside a link target is resolved against the real (already resolved) parent, as the kernel does.
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var candidate = Path.Combine(resolved, segment);
            FileSystemInfo info = Directory.Exists(candidate) ? new DirectoryInfo(candidate) : new FileInfo(candidate);
            if (info.LinkTarget is not { } target)
            {
                if (!info.Exists)
                {
                    return null;
                }

                resolved = candidate;
                continue;
            }

            if (++linksFollowed > MaxLinksFollowed)
            {
                return null;
            }

            var targetFull = Path.IsPathFullyQualified(target) ? target : Path.Combine(resolved, target);
            var targetRoot = Path.GetPathRoot(targetFull)!;
            PushSegments(pending, targetFull[targetRoot.Length..]);
            resolved = targetRoot;
        }

        return resolved;
    }

    /// <summary>True when <paramref name="realPath"/> is strictly inside <paramref name="realRoot"/>.</summary>
    public static bool IsInside(string realPath, string realRoot)
    {
        // Compare against root + separator so that "/srv/data_secret" is not inside "/srv/data" (send CVE-2014-6394).
        var rootWithSeparator = Path.EndsInDirectorySeparator(realRoot) ? realRoot : realRoot + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return realPath.StartsWith(rootWithSeparator, comparison) && realPath.Length > rootWithSeparator.Length;
    }

    private static void PushSegments(Stack<string> pending, string relativePath)
    {
        var segments = relativePath.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }
}
