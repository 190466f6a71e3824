using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Digests;

public sealed class DigestsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new DigestsOptionsValidator().Validate(null, new DigestsOptions()).Succeeded);
    }

    [Fact]
    public void Validate_EveryBadValue_IsReportedAtOnceWithItsKey()
    {
        var options = new DigestsOptions { Concurrency = 0, ReadRate = -1, MaxEntries = 0, QueueCapacity = 0, Algorithms = ["md5"], RetryAfter = TimeSpan.Zero };

        var result = new DigestsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[] { "Concurrency", "ReadRate", "MaxEntries", "QueueCapacity", "Algorithms", "RetryAfter" })
        {
            Assert.Contains("Gateway:Digests:" + key, result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
