using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class ResilienceOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new ResilienceOptionsValidator().Validate(null, new ResilienceOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_SeveralBadValues_NamesEveryKey()
    {
        var options = new ResilienceOptions
        {
            MaxRetryAttempts = -1,
            AttemptTimeout = TimeSpan.Zero,
            BreakerFailureRatio = 0,
            BreakerMinimumThroughput = 1,
            BreakDuration = TimeSpan.FromMilliseconds(1),
            MaxResumesPerRange = -2,
            MetadataCacheTtl = TimeSpan.FromSeconds(-1),
        };

        var result = new ResilienceOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[] { "MaxRetryAttempts", "AttemptTimeout", "BreakerFailureRatio", "BreakerMinimumThroughput", "BreakDuration", "MaxResumesPerRange", "MetadataCacheTtl" })
        {
            Assert.Contains($"Gateway:Storage:Resilience:{key} ", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
