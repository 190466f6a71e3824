using System.Net;
using LargeFileGateway.Configuration;
using LargeFileGateway.Security;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.UnitTests.Security;

public sealed class ForwardedHeadersTrustTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.5", false)]
    public void IsTrusted_NothingConfigured_TrustsLoopbackOnly(string peer, bool expected)
    {
        var options = Configure(new TrustedProxyOptions());

        Assert.Equal(expected, ForwardedHeadersTrust.IsTrusted(options, IPAddress.Parse(peer)));
    }

    [Theory]
    [InlineData("10.0.0.5", true)]
    [InlineData("::ffff:10.0.0.5", true)]
    [InlineData("192.168.7.200", true)]
    [InlineData("192.168.8.1", false)]
    [InlineData("10.0.0.6", false)]
    [InlineData("127.0.0.1", false)]
    public void IsTrusted_ProxiesAndNetworksListed_TrustsThoseOnly(string peer, bool expected)
    {
        var options = Configure(new TrustedProxyOptions { TrustedProxies = ["10.0.0.5"], TrustedNetworks = ["192.168.7.0/24"] });

        Assert.Equal(expected, ForwardedHeadersTrust.IsTrusted(options, IPAddress.Parse(peer)));
    }

    private static ForwardedHeadersOptions Configure(TrustedProxyOptions trusted)
    {
        var options = new ForwardedHeadersOptions();
        ForwardedHeadersTrust.Configure(options, Options.Create(trusted));
        return options;
    }
}
