using LargeFileGateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace LargeFileGateway.UnitTests.Hosting;

public sealed class DefaultListenAddressTests
{
    [Fact]
    public void Applies_NothingSet_IsTrue()
    {
        Assert.True(DefaultListenAddress.Applies(Configuration()));
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:5000")]
    [InlineData("Urls", "http://0.0.0.0:5000")]
    [InlineData("http_ports", "8080")]
    [InlineData("HTTP_PORTS", "8080")]
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:5000")]
    public void Applies_AnAddressSet_IsFalse(string key, string value)
    {
        Assert.False(DefaultListenAddress.Applies(Configuration((key, value))));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
