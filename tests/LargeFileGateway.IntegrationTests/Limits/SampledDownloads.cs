using System.Diagnostics;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>How many bytes a client had received at one moment since the downloads started.</summary>
internal readonly record struct RateSample(TimeSpan At, long Bytes);

/// <summary>
/// Real curl processes downloading to files, whose sizes are read every 100 ms: the rates are measured where the
/// client sees them. Every wait is bounded; each curl is stopped by its own pid.
/// </summary>
internal static class SampledDownloads
{
    public const long MiB = 1 << 20;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A gap between samples this long (two samples missed at least) means the test process (the gateway in it) stood
    /// still. It was 400 ms until a fresh-clone run had the sampler miss three samples, 0.36 s with no byte sent,
    /// which cost a download of 2 s its 10 % margin.
    /// </summary>
    private static readonly TimeSpan StallGap = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs one curl per URL at once, into <paramref name="folder"/>; returns each one's samples, the last taken after
    /// it ended. <paramref name="sourceAddresses"/> (one per URL, null for the default) makes a curl connect from
    /// another loopback address (127.0.0.2 ...): another client to the gateway.
    /// </summary>
    public static async Task<List<RateSample>[]> RunAsync(string folder, IReadOnlyList<string> urls, TimeSpan timeout, IReadOnlyList<string?>? sourceAddresses = null)
    {
        var paths = urls.Select((_, i) => Path.Combine(folder, $"download-{i}.bin")).ToArray();
        var samples = urls.Select(_ => new List<RateSample>()).ToArray();
        var maxTime = ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tools = urls.Select((url, i) => ExternalTool.Start("curl", sourceAddresses?[i] is { } source
            ? ["-sS", "--fail", "--interface", source, "--max-time", maxTime, "-o", paths[i], url]
            : ["-sS", "--fail", "--max-time", maxTime, "-o", paths[i], url])).ToArray();
        try
        {
            var clock = Stopwatch.StartNew();
            using var timer = new PeriodicTimer(Interval);
            var done = new bool[urls.Count];
            while (done.Contains(false))
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"The downloads did not finish within {timeout}.");
                }

                await timer.WaitForNextTickAsync();
                for (var i = 0; i < urls.Count; i++)
                {
                    if (done[i])
                    {
                        continue;
                    }

                    // Exited first, size second: the size read after the exit is the final one.
                    var exited = tools[i].HasExited;
                    samples[i].Add(new RateSample(clock.Elapsed, File.Exists(paths[i]) ? new FileInfo(paths[i]).Length : 0));
                    done[i] = exited;
                }
            }

            for (var i = 0; i < urls.Count; i++)
            {
                Assert.True(await tools[i].WaitForExitAsync(TimeSpan.FromSeconds(10)) == 0, $"curl {urls[i]} failed: {tools[i].Output}");
            }

            return samples;
        }
        finally
        {
            foreach (var tool in tools)
            {
                tool.Dispose();
            }
        }
    }

    /// <summary>
    /// Asks for each URL once with HEAD, so that the first measured second is not the gateway compiling its request
    /// path (on a loaded machine that stall alone moved a 4 s average by 20 %).
    /// </summary>
    public static async Task WarmUpAsync(HttpClient client, params string[] urls)
    {
        foreach (var url in urls)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Bytes per second from the first sample past <paramref name="fromBytes"/> to the last, leaving out every gap
    /// between two samples longer than <see cref="StallGap"/>. The gateway runs in the test process, so such a gap
    /// means the process was not scheduled at all (seen at load average 5 on 2 cores): the gateway could not send
    /// then, and a token bucket rightly does not catch up afterwards (that would break the one-second bound).
    /// </summary>
    /// <param name="samples">One download's samples.</param>
    /// <param name="fromBytes">Measured from the first sample past this many bytes.</param>
    /// <param name="excludeStalls">
    /// False when another process sends the bytes (nginx): its clock did not stop with the test process, so a gap in
    /// the samples is only a late sample, and leaving its time out would inflate the rate.
    /// </param>
    public static double AverageRate(IReadOnlyList<RateSample> samples, long fromBytes = 0, bool excludeStalls = true)
    {
        var start = samples.ToList().FindIndex(s => s.Bytes > fromBytes);
        long bytes = 0;
        var time = TimeSpan.Zero;
        for (var i = start + 1; i < samples.Count; i++)
        {
            var gap = samples[i].At - samples[i - 1].At;
            if (gap <= StallGap || !excludeStalls)
            {
                bytes += samples[i].Bytes - samples[i - 1].Bytes;
                time += gap;
            }
        }

        // Everything within one sample: faster than the samples can tell.
        return time == TimeSpan.Zero ? double.PositiveInfinity : bytes / time.TotalSeconds;
    }

    /// <summary>
    /// Checks that a download was held to <paramref name="rate"/> within <paramref name="tolerance"/>, bracketing the
    /// stalls it cannot judge. Over the wall clock (stalls counted) it must not have been faster than the rate allows;
    /// with the stalls left out (<see cref="AverageRate"/>) it must not have been slower. Without a stall both are the
    /// same figure. With one, the bytes that arrive just after it came partly during it (curl, another process, was
    /// not scheduled while the gateway sent into the socket buffers, and the sample after a missed tick is taken at
    /// once), so leaving the stall out alone read 1.11 x the rate on a fresh-clone run, and counting it alone would
    /// read below the rate whenever the gateway (in this process) stood still.
    /// </summary>
    /// <returns>Null when both hold; otherwise what failed, with both figures.</returns>
    public static string? HeldToRate(IReadOnlyList<RateSample> samples, double rate, double tolerance, long fromBytes = 0)
    {
        var wallClock = AverageRate(samples, fromBytes, excludeStalls: false);
        var stallsLeftOut = AverageRate(samples, fromBytes);
        var figures = $"{wallClock / MiB:0.000} MiB/s over the wall clock, {stallsLeftOut / MiB:0.000} MiB/s with the stalls left out";
        if (wallClock > rate * (1 + tolerance))
        {
            return $"faster than the rate: {figures}";
        }

        return stallsLeftOut < rate * (1 - tolerance) ? $"slower than the rate: {figures}" : null;
    }

    /// <summary>The most bytes received within any one second, counting from the first sample past <paramref name="fromBytes"/>.</summary>
    public static long MostBytesInOneSecond(IReadOnlyList<RateSample> samples, long fromBytes = 0)
    {
        var start = samples.ToList().FindIndex(s => s.Bytes >= fromBytes);
        long most = 0;
        for (var i = Math.Max(start, 0); i < samples.Count; i++)
        {
            for (var j = i + 1; j < samples.Count && samples[j].At - samples[i].At <= TimeSpan.FromSeconds(1); j++)
            {
                most = Math.Max(most, samples[j].Bytes - samples[i].Bytes);
            }
        }

        return most;
    }

    /// <summary>When the samples first show at least <paramref name="bytes"/>.</summary>
    public static TimeSpan TimeToReach(IReadOnlyList<RateSample> samples, long bytes) => samples.First(s => s.Bytes >= bytes).At;

    /// <summary>Renders samples for a failure message.</summary>
    public static string Describe(IReadOnlyList<RateSample> samples)
        => string.Join(' ', samples.Select(s => $"{s.At.TotalSeconds:0.0}s:{s.Bytes / (double)MiB:0.00}"));
}
