using LargeFileGateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace LargeFileGateway.UnitTests.Hosting;

public sealed class TlsEndpointsConfiguredTests
{
    [Theory]
    [InlineData("Kestrel:Endpoints:Https:Url", "https://0.0.0.0:8443")]
    [InlineData("Kestrel:Endpoints:Web:Url", " HTTPS://[::]:443")]
    [InlineData("Kestrel:Endpoints:Web:Certificate:Path", "/etc/tls/cert.pem")]
    [InlineData("urls", "http://127.0.0.1:8080;https://127.0.0.1:8443")]
    [InlineData("https_ports", "443")]
    public void In_AnyTlsEndpoint_IsTrue(string key, string value)
    {
        Assert.True(TlsEndpointsConfigured.In(Configuration((key, value))));
    }

    [Fact]
    public void In_PlainHttpOnly_IsFalse()
    {
        var configuration = Configuration(
            ("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:8080"),
            ("urls", "http://127.0.0.1:8081; http://[::1]:8082"),
            ("http_ports", "8083"),
            ("https_ports", " "));

        Assert.False(TlsEndpointsConfigured.In(configuration));
    }

    [Fact]
    public void In_PlainEndpointsWithHttpsLeftInUrls_IsFalse()
    {
        // Kestrel takes its Endpoints section and ignores urls and https_ports then ("Overriding address(es)").
        var configuration = Configuration(
            ("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:8080"),
            ("urls", "https://127.0.0.1:8443"),
            ("https_ports", "443"));

        Assert.False(TlsEndpointsConfigured.In(configuration));
    }

    [Fact]
    public void In_NothingConfigured_IsFalse()
    {
        Assert.False(TlsEndpointsConfigured.In(Configuration()));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
