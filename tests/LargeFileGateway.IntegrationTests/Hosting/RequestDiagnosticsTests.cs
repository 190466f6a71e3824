using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Hosting;

/// <summary>
/// The hosting layer starts an Activity and a log scope per request whenever its logger is on, with nobody listening:
/// the gateway's built-in default turns that logger off (6.5 % of the CPU of a random range), and any setting of the
/// operator's still turns it back on.
/// </summary>
/// <remarks>
/// In the storage servers' collection, which holds the one test that listens to the hosting layer's ActivitySource
/// (TraceTests): a listener anywhere in the process makes every gateway of the process start Activities.
/// </remarks>
[Collection(LargeFileGateway.IntegrationTests.Storage.Servers.StorageServersGroup.Name)]
public sealed partial class RequestDiagnosticsTests : IDisposable
{
    private readonly TempFolder _root = new("request-diagnostics");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Request_ByDefault_StartsNoActivity_AndTheProblemTraceIdIsTheRequestId()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, MapActivityProbe);

        Assert.Equal("none", await server.Client.GetStringAsync("test/activity"));
        var traceId = await ProblemTraceIdAsync(server);
        Assert.Matches(RequestId(), traceId);
    }

    [Fact]
    public async Task Request_WithTheHostingLoggerSetByTheOperator_StartsAnActivityAgain()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, MapActivityProbe,
            "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Warning");

        Assert.Equal("activity", await server.Client.GetStringAsync("test/activity"));
        var traceId = await ProblemTraceIdAsync(server);
        Assert.Matches(W3CTraceParent(), traceId);
    }

    private static void MapActivityProbe(WebApplication app)
        => app.MapGet("/test/activity", static (HttpContext context)
            => context.Features.Get<IHttpActivityFeature>() is not null || Activity.Current is not null ? "activity" : "none");

    private static async Task<string> ProblemTraceIdAsync(GatewayServer server)
    {
        using var response = await server.Client.GetAsync("files/no-such-file.bin");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("traceId").GetString()!;
    }

    // Kestrel's HttpContext.TraceIdentifier: the connection id (13 characters of base32) and the request's number.
    [GeneratedRegex("^[0-9A-V]{13}:[0-9A-F]{8}$")]
    private static partial Regex RequestId();

    [GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$")]
    private static partial Regex W3CTraceParent();
}
