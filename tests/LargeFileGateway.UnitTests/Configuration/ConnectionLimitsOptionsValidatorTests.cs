using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class ConnectionLimitsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_SucceedsWithEveryLimitOff()
    {
        var options = new ConnectionLimitsOptions();

        var result = new ConnectionLimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded);
        Assert.Equal(0, options.DownloadsPerClient);
        Assert.Equal(0, options.Downloads);
        Assert.Equal(0, options.RequestsPerClientPerMinute);
        Assert.Equal(0, options.MinClientRate);
    }

    [Fact]
    public void Validate_NegativeLimits_NamesEveryKey()
    {
        var options = new ConnectionLimitsOptions
        {
            DownloadsPerClient = -1,
            Downloads = -1,
            RequestsPerClientPerMinute = -1,
            MinClientRate = -1,
            MinClientRateGrace = TimeSpan.FromSeconds(-1),
        };

        var result = new ConnectionLimitsOptionsValidator().Validate(null, options);

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
        var options = new ConnectionLimitsOptions { MinClientRate = 1024, MinClientRateGrace = TimeSpan.Parse(grace, System.Globalization.CultureInfo.InvariantCulture) };

        var result = new ConnectionLimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Limits:MinClientRateGrace must be longer than", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortGraceWithoutMinClientRate_Succeeds()
    {
        var result = new ConnectionLimitsOptionsValidator().Validate(null, new ConnectionLimitsOptions { MinClientRateGrace = TimeSpan.Zero });

        Assert.True(result.Succeeded);
    }
}
