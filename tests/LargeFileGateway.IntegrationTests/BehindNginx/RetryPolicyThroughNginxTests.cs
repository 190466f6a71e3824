using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// What nginx retries on another instance (issue 10, reliability 6): a connection the instance closes before
/// answering (how an overloaded or draining instance hands a proxied request on), never a storage 503/504, which
/// every instance would answer alike and which must reach the client with its Retry-After.
/// </summary>
public sealed class RetryPolicyThroughNginxTests : IAsyncLifetime
{
    private const string RetryAfterSeconds = "7";

    private readonly TempFolder _root = new("nginx-retry");
    private GatewaysBehindNginx _stack = null!;
    private int _instancesStarted;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_root.Combine("release.txt"), "release");
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 2, offload: false, beforeStart: MapTestEndpoints);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _root.Dispose();
    }

    [Theory]
    [InlineData("outage-503.bin", HttpStatusCode.ServiceUnavailable)]
    [InlineData("outage-504.bin", HttpStatusCode.GatewayTimeout)]
    public async Task StorageOutage_PassesThroughOnceWithRetryAfter_InstancesStayInThePool(string key, HttpStatusCode expected)
    {
        // Two outage answers in a row: with 503/504 retried and max_fails=1 these marked every instance down.
        for (var i = 0; i < 2; i++)
        {
            using var outage = await _stack.Nginx.Client.GetAsync($"files/{key}");

            Assert.Equal(expected, outage.StatusCode);
            Assert.Equal(RetryAfterSeconds, outage.Headers.NonValidated["Retry-After"].ToString());
            Assert.Equal("application/problem+json", outage.Content.Headers.ContentType?.MediaType);
            Assert.Contains("storage backend", await outage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        for (var i = 0; i < 6; i++)
        {
            using var normal = await _stack.Nginx.Client.GetAsync("files/release.txt");
            Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
        }

        var log = await _stack.Nginx.WaitForAccessLogAsync(entries => entries.Count >= 8);
        Assert.All(log.Where(e => e.Uri.EndsWith(key, StringComparison.Ordinal)), e => Assert.Single(e.UpstreamAddresses));
        var served = log.Where(e => e.Uri.EndsWith("release.txt", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, served.Count);
        Assert.All(served, e => Assert.Equal(200, e.Status));
        Assert.Equal(
            _stack.Instances.Select(instance => $"127.0.0.1:{instance.Port}").Order(),
            served.SelectMany(e => e.UpstreamAddresses).Distinct().Order());
    }

    [Fact]
    public async Task InstanceClosesConnectionBeforeAnswering_RequestIsServedByTheOtherInstance()
    {
        for (var i = 0; i < 4; i++)
        {
            using var response = await _stack.Nginx.Client.GetAsync("files/shed.bin");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("served by the second instance", await response.Content.ReadAsStringAsync());
        }

        var shedding = $"127.0.0.1:{_stack.Instances[0].Port}";
        var log = await _stack.Nginx.WaitForAccessLogAsync(entries => entries.Count >= 4);
        Assert.All(log, e => Assert.Equal(200, e.Status));
        Assert.Contains(log, e => e.UpstreamAddresses.Count == 2 && e.UpstreamAddresses[0] == shedding);
    }

    /// <summary>
    /// Literal routes next to the gateway's <c>/files/{**key}</c> (a literal beats the catch-all): an outage answer
    /// as the download handler writes it (problem details, Retry-After), and a request the first instance sheds by
    /// closing the connection before any response byte, as an overloaded instance does for a proxied request.
    /// </summary>
    private void MapTestEndpoints(WebApplication app)
    {
        var instance = Interlocked.Increment(ref _instancesStarted);
        app.MapGet("/files/outage-503.bin", (HttpContext context) => Outage(context, StatusCodes.Status503ServiceUnavailable, "The storage backend is unavailable."));
        app.MapGet("/files/outage-504.bin", (HttpContext context) => Outage(context, StatusCodes.Status504GatewayTimeout, "The storage backend did not answer in time."));
        app.MapGet("/files/shed.bin", (HttpContext context) =>
        {
            if (instance == 1)
            {
                context.Abort();
                return Results.Empty;
            }

            return Results.Text("served by the second instance");
        });
    }

    private static IResult Outage(HttpContext context, int status, string detail)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Results.Problem(statusCode: status, detail: detail);
    }
}
