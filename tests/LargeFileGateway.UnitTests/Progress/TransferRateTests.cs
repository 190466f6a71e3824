using LargeFileGateway.Progress;

namespace LargeFileGateway.UnitTests.Progress;

public sealed class TransferRateTests
{
    [Theory]
    [InlineData(0, 1000, 1.0, 1000)]          // first sample: the instant rate
    [InlineData(1000, 3000, 1.0, 2000)]       // then half history, half new
    [InlineData(4000, 0, 1.0, 2000)]          // a quiet sample halves the rate
    [InlineData(1500, 0, 1.0, 0)]             // below the stall threshold a quiet transfer shows zero
    [InlineData(0, 5000, 0.0, 0)]             // no time elapsed: no instant rate to take
    public void Next_Sample_SmoothsAsDocumented(double previous, long moved, double seconds, double expected)
    {
        Assert.Equal(expected, TransferRate.Next(previous, moved, TimeSpan.FromSeconds(seconds)));
    }
}
