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

    [Fact]
    public void Validate_Defaults_SucceedsWithEveryCapOff()
    {
        var options = new LimitsOptions();

        var result = new LimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded);
        Assert.Equal(0, options.DownloadsPerClient);
        Assert.Equal(0, options.Downloads);
        Assert.Equal(0, options.RequestsPerClientPerMinute);
        Assert.Equal(0, options.MinClientRate);
    }

    [Fact]
    public void Validate_NegativeLimits_NamesEveryKey()
    {
        var options = new LimitsOptions
        {
            DownloadsPerClient = -1,
            Downloads = -1,
            RequestsPerClientPerMinute = -1,
            MinClientRate = -1,
            MinClientRateGrace = TimeSpan.FromSeconds(-1),
        };

        var result = new LimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var message = result.FailureMessage;
        Assert.Contains("Gateway:Limits:DownloadsPerClient", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:Downloads ", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:RequestsPerClientPerMinute", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:MinClientRate ", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:MinClientRateGrace", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:01")]
    public void Validate_MinClientRateWithGraceKestrelRefuses_Fails(string grace)
    {
        var options = new LimitsOptions { MinClientRate = 1024, MinClientRateGrace = TimeSpan.Parse(grace, System.Globalization.CultureInfo.InvariantCulture) };

        var result = new LimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Limits:MinClientRateGrace must be longer than", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortGraceWithoutMinClientRate_Succeeds()
    {
        var result = new LimitsOptionsValidator().Validate(null, new LimitsOptions { MinClientRateGrace = TimeSpan.Zero });

        Assert.True(result.Succeeded);
    }
}
