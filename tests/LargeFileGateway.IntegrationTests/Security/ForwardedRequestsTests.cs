using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Security;

namespace LargeFileGateway.IntegrationTests.Security;

/// <summary>
/// The forwarding step on the gateway alone: a request without forwarded headers goes past the framework's
/// middleware, and one with either header still gets what that middleware applies (the client's address, the scheme)
/// and the proxied mark, from a trusted address only. The test client is on 127.0.0.1, which the default trusts.
/// </summary>
public sealed class ForwardedRequestsTests : IDisposable
{
    private readonly TempFolder _root = new("forwarded-requests");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Request_WithoutForwardedHeaders_KeepsItsConnectionAndIsDirect()
    {
        await using var server = await StartAsync();

        Assert.Equal("127.0.0.1 http direct", await EchoAsync(server, []));
    }

    [Fact]
    public async Task Request_WithForwardedForFromTrustedAddress_TakesTheClientsAddressAndIsProxied()
    {
        await using var server = await StartAsync();

        Assert.Equal("203.0.113.9 http proxied", await EchoAsync(server, [("X-Forwarded-For", "203.0.113.9")]));
    }

    [Fact]
    public async Task Request_WithForwardedForAndProto_TakesBoth()
    {
        await using var server = await StartAsync();

        Assert.Equal("203.0.113.9 https proxied", await EchoAsync(server, [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https")]));
    }

    [Fact]
    public async Task DirectRequest_AfterAProxiedOneOnTheSameConnection_IsDirect()
    {
        // A direct request sets no feature now, so nothing of the request before it may be left on the connection.
        await using var server = await StartAsync();

        var proxied = await EchoAsync(server, [("X-Forwarded-For", "203.0.113.9")], withConnection: true);
        var direct = await EchoAsync(server, [], withConnection: true);

        Assert.EndsWith(" 203.0.113.9 http proxied", proxied, StringComparison.Ordinal);
        Assert.EndsWith(" 127.0.0.1 http direct", direct, StringComparison.Ordinal);
        Assert.Equal(proxied.Split(' ')[0], direct.Split(' ')[0]);
    }

    [Fact]
    public void Pipeline_IsMarkedAsHavingForwardedHeaders()
    {
        // A later UseForwardedHeaders() then adds no second instance of the framework's middleware.
        var app = new ApplicationBuilder(new ServiceCollection()
            .AddOptions().AddLogging().BuildServiceProvider());

        app.UseForwardedRequests();

        Assert.True(app.Properties.ContainsKey("ForwardedHeadersAdded"));
    }

    [Fact]
    public async Task Request_WithOnlyForwardedProtoFromTrustedAddress_TakesTheSchemeAndIsNotProxied()
    {
        // The scheme alone is still the framework's to apply: the shortcut is only for requests with neither header.
        await using var server = await StartAsync();

        Assert.Equal("127.0.0.1 https direct", await EchoAsync(server, [("X-Forwarded-Proto", "https")]));
    }

    [Fact]
    public async Task Request_WithForwardedHeadersFromUntrustedAddress_KeepsItsConnectionAndIsDirect()
    {
        await using var server = await StartAsync("--Gateway:ForwardedHeaders:TrustedProxies:0=192.0.2.1");

        Assert.Equal("127.0.0.1 http direct", await EchoAsync(server, [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https")]));
    }

    [Fact]
    public async Task Download_WithoutForwardedHeaders_IsServed()
    {
        File.WriteAllText(Path.Combine(_root.Path, "a.txt"), "hello");
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync("files/a.txt");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello", await response.Content.ReadAsStringAsync());
    }

    private Task<GatewayServer> StartAsync(params string[] arguments)
        => GatewayServer.StartAsync(_root.Path, app => app.MapGet("/forwarding", (HttpContext context, bool? connection)
            => (connection == true ? context.Connection.Id + " " : string.Empty)
                + $"{context.Connection.RemoteIpAddress} {context.Request.Scheme} {(context.Features.Get<ProxiedRequestFeature>()?.FromTrustedProxy == true ? "proxied" : "direct")}"), arguments);

    /// <summary>The endpoint's answer; with <paramref name="withConnection"/>, Kestrel's connection id first.</summary>
    private static async Task<string> EchoAsync(GatewayServer server, (string Name, string Value)[] headers, bool withConnection = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, withConnection ? "forwarding?connection=true" : "forwarding");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await server.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
