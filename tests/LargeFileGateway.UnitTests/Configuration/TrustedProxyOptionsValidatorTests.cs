using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class TrustedProxyOptionsValidatorTests
{
    [Fact]
    public void Validate_AddressesAndNetworks_Succeeds()
    {
        var options = new TrustedProxyOptions { TrustedProxies = ["10.0.0.5", "::1"], TrustedNetworks = ["10.0.0.0/24", "fd00::/8"] };

        var result = new TrustedProxyOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_BadEntries_NamesEveryBadKey()
    {
        var options = new TrustedProxyOptions { TrustedProxies = ["10.0.0.5", "nginx.local"], TrustedNetworks = ["10.0.0.0/33"], ForwardLimit = 0 };

        var result = new TrustedProxyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:ForwardedHeaders:TrustedProxies:1", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:ForwardedHeaders:TrustedNetworks:0", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:ForwardedHeaders:ForwardLimit", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("TrustedProxies:0", result.FailureMessage, StringComparison.Ordinal);
    }
}
