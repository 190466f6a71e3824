using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.UnitTests.Storage.Local;

public sealed class LibcTimeTests
{
    [Fact]
    public void ToUtc_TimeWithinDateTime_IsExactToTheTick()
    {
        var time = Libc.ToUtc(1_700_000_000, 123_456_789);

        Assert.Equal(DateTimeKind.Utc, time.Kind);
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1_700_000_000).AddTicks(1_234_567), time);
    }

    [Theory]
    [InlineData(300_000_000_000L)] // year 11476: tmpfs and btrfs accept it (touch -d @300000000000)
    [InlineData(long.MaxValue)]
    public void ToUtc_TimeAfterYear9999_IsClampedNotAnException(long seconds)
    {
        var time = Libc.ToUtc(seconds, 999_999_999);

        Assert.True(time > new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc));
    }

    [Theory]
    [InlineData(-70_000_000_000L)] // before year 1
    [InlineData(long.MinValue)]
    public void ToUtc_TimeBeforeYear1_IsClampedNotAnException(long seconds)
    {
        var time = Libc.ToUtc(seconds, 5);

        Assert.True(time < new DateTime(2, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }
}
