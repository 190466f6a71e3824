using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class LimitsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_SucceedsWithEveryLimitOff()
    {
        var options = new LimitsOptions();

        var result = new LimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(0, options.RatePerDownload);
        Assert.Equal(0, options.RateAfterBytes);
        Assert.Equal(0, options.RatePerClient);
    }

    [Fact]
    public void Validate_RatesSet_Succeeds()
    {
        var options = new LimitsOptions { RatePerDownload = 2 << 20, RateAfterBytes = 8 << 20, RatePerClient = 4 << 20 };

        var result = new LimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_NegativeAndHugeRates_NamesEveryKeyAtOnce()
    {
        var options = new LimitsOptions { RatePerDownload = -1, RateAfterBytes = -5, RatePerClient = long.MaxValue };

        var result = new LimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Limits:RatePerDownload ", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:RateAfterBytes ", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:RatePerClient ", result.FailureMessage, StringComparison.Ordinal);
    }
}
