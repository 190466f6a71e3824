using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class EventsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new EventsOptionsValidator().Validate(null, new EventsOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_BearerTokenWithoutTokenAndBadIntervals_NamesEveryKey()
    {
        var options = new EventsOptions
        {
            Access = EventsAccessMode.BearerToken,
            ProgressInterval = TimeSpan.Zero,
            RingCapacity = 0,
            WatcherQueueCapacity = 0,
        };

        var result = new EventsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var message = result.FailureMessage;
        Assert.Contains("Gateway:Events:Token", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Events:ProgressInterval", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Events:RingCapacity", message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Events:WatcherQueueCapacity", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has a space in the middle")]
    public void Validate_BadToken_Fails(string token)
    {
        var result = new EventsOptionsValidator().Validate(null, new EventsOptions { Access = EventsAccessMode.BearerToken, Token = token });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Events:Token", result.FailureMessage, StringComparison.Ordinal);
    }
}
