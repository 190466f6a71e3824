using System.Diagnostics;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Runs real client programs (curl, wget, …) with a time bound, and ends only the ones it started.</summary>
public static class ExternalProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Fails loudly when a tool the test needs is not installed (tests/run.sh installs them).</summary>
    public static string Require(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{tool}' is not installed; run the suite with tests/run.sh, which installs it.");
    }

    public static Process Start(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(Require(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
    }

    public static async Task<Result> RunAsync(string tool, TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(tool, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw new TimeoutException($"{tool} did not finish within {timeout}.");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Ends a process this test started (by its own handle, never by name).</summary>
    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits until <paramref name="path"/> holds at least <paramref name="bytes"/> bytes.</summary>
    public static async Task WaitForFileSizeAsync(string path, long bytes, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!(File.Exists(path) && new FileInfo(path).Length >= bytes))
        {
            await timer.WaitForNextTickAsync(deadline.Token);
        }
    }
}
