namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Counts this process's open descriptors on one file, from /proc/self/fd (Linux).</summary>
public static class OpenFiles
{
    public static int Count(string path)
    {
        var full = Path.GetFullPath(path);
        var count = 0;
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && (target == full || target == full + " (deleted)"))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor was closed between listing and reading it.
            }
        }

        return count;
    }

    /// <summary>Counts this process's open descriptors on files under <paramref name="folder"/>, unlinked ones included.</summary>
    public static int CountUnder(string folder)
    {
        var prefix = Path.GetFullPath(folder) + "/";
        var count = 0;
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(prefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor was closed between listing and reading it.
            }
        }

        return count;
    }

    /// <summary>Waits until no descriptor is open on <paramref name="path"/>; returns the last count seen.</summary>
    public static async Task<int> WaitUntilClosedAsync(string path, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var count = Count(path);
        while (count > 0 && !deadline.IsCancellationRequested)
        {
            try
            {
                await timer.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            count = Count(path);
        }

        return count;
    }
}
