using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LargeFileGateway.Hosting;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Operations;

/// <summary>/healthz and /readyz as a load balancer and an operator see them, on local storage.</summary>
public sealed class HealthProbeTests() : GatewayTest("health")
{
    protected override Task ArrangeAsync()
    {
        File.WriteAllText(Root.Combine("a.txt"), "a");
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("healthz")]
    [InlineData("readyz")]
    public async Task Probe_WorkingLocalStorage_Answers200PlainHealthy(string probe)
    {
        using var response = await Server.Client.GetAsync(probe);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_StorageRootRemoved_Answers503AndLivenessStays200()
    {
        var root = new TempFolder("health-gone");
        await using var gateway = await GatewayServer.StartAsync(root.Path, "--Gateway:Health:ProbeCacheDuration=00:00:00");
        using var before = await gateway.Client.GetAsync("readyz");
        root.Dispose();

        using var ready = await gateway.Client.GetAsync("readyz");
        using var live = await gateway.Client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Readyz_Draining_Answers503WhileLivenessStays200()
    {
        await using var gateway = await GatewayServer.StartAsync(Root.Path);
        using var before = await gateway.Client.GetAsync("readyz");

        gateway.Services.GetRequiredService<DrainState>().Begin();
        using var during = await gateway.Client.GetAsync("readyz");
        using var live = await gateway.Client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal("Unhealthy", await during.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task ReadyzDetails_FromLoopback_AnswersJsonWithEachCheck()
    {
        using var query = await Server.Client.GetAsync("readyz?details");
        using var request = new HttpRequestMessage(HttpMethod.Get, "readyz");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var accept = await Server.Client.SendAsync(request);

        foreach (var response in new[] { query, accept })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
            Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("drain").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task ReadyzDetails_ClientBehindTrustedProxy_GetsPlainStatusOnly()
    {
        // nginx on this host forwards a remote client: the connection is loopback, the client is not.
        using var request = new HttpRequestMessage(HttpMethod.Get, "readyz?details");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadyzDetails_DetailsOff_GetsPlainStatusOnly()
    {
        await using var gateway = await GatewayServer.StartAsync(Root.Path, "--Gateway:Health:Details=Off");

        using var response = await gateway.Client.GetAsync("readyz?details");

        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Startup_InvalidHealthOptions_RefusesToStartNamingTheKey()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => GatewayServer.StartAsync(Root.Path, "--Gateway:Health:ProbeTimeout=00:00:00"));

        Assert.Contains("Gateway:Health:ProbeTimeout", failure.Message, StringComparison.Ordinal);
    }
}
