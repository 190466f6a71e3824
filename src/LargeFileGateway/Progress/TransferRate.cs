namespace LargeFileGateway.Progress;

/// <summary>The smoothed rate a progress event shows, from one sample to the next.</summary>
internal static class TransferRate
{
    /// <summary>Below this a transfer that did not move in a sample counts as stalled: its rate shows as zero.</summary>
    public const double StalledBytesPerSecond = 1024;

    /// <summary>
    /// Half of the new sample, half of the history: steady enough for an ETA, quick to follow a change. TCP sends
    /// in bursts, so one quiet sample only halves the rate; a stalled transfer reaches zero within a few samples.
    /// </summary>
    public static double Next(double previousBytesPerSecond, long movedBytes, TimeSpan elapsed)
    {
        var instant = elapsed > TimeSpan.Zero ? movedBytes / elapsed.TotalSeconds : 0;
        var rate = previousBytesPerSecond == 0 ? instant : (previousBytesPerSecond + instant) / 2;
        return movedBytes == 0 && rate < StalledBytesPerSecond ? 0 : rate;
    }
}
