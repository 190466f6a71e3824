using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class ShutdownOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_SucceedsAndHostTimeoutOutlastsTheDrain()
    {
        var options = new ShutdownOptions();

        var result = new ShutdownOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(TimeSpan.FromSeconds(40), options.HostShutdownTimeout);
    }

    [Fact]
    public void Validate_NegativeAndTooLong_NamesEveryKeyAtOnce()
    {
        var options = new ShutdownOptions { AcceptDelay = TimeSpan.FromSeconds(-1), DrainTimeout = TimeSpan.FromHours(2) };

        var result = new ShutdownOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Shutdown:AcceptDelay ", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:Shutdown:DrainTimeout ", result.FailureMessage, StringComparison.Ordinal);
    }
}
