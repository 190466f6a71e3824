using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>CORS as the framework's middleware answers it, on real Kestrel: off by default, then for one origin.</summary>
public sealed class CrossOriginTests : IDisposable
{
    private const string AppOrigin = "http://app.example.test:3000";
    private readonly TempFolder _root = new("cors");

    public CrossOriginTests() => TestFiles.WriteRandom(_root.Combine("video.bin"), 4096, seed: 3);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Get_FromAnotherOriginByDefault_CarriesNoCorsHeaders()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path);

        using var response = await SendAsync(server, HttpMethod.Get, AppOrigin, ("Range", "bytes=0-9"));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Get_FromAnAllowedOrigin_ExposesTheHeadersAPlayerNeeds()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Cors:Origins:0={AppOrigin}");

        using var response = await SendAsync(server, HttpMethod.Get, AppOrigin, ("Range", "bytes=0-9"));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(AppOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var exposed = ExposedHeaders(response);
        foreach (var header in new[] { "content-range", "content-length", "content-disposition", "etag", "accept-ranges" })
        {
            Assert.Contains(header, exposed);
        }

        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Fact]
    public async Task Preflight_FromAnAllowedOrigin_AllowsRangedAndConditionalReads()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Cors:Origins:0={AppOrigin}");

        using var response = await SendAsync(server, HttpMethod.Options, AppOrigin,
            ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "range,if-range,authorization"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(AppOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var allowed = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        Assert.Contains("range", allowed, StringComparison.Ordinal);
        Assert.Contains("if-range", allowed, StringComparison.Ordinal);
        Assert.Contains("authorization", allowed, StringComparison.Ordinal);
        Assert.Equal("600", Assert.Single(response.Headers.GetValues("Access-Control-Max-Age")));
    }

    [Theory]
    [InlineData("http://evil.example.test", "GET")]
    [InlineData(AppOrigin, "PUT")]
    public async Task Preflight_OfAnotherOriginOrMethod_IsNotAllowed(string origin, string method)
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Cors:Origins:0={AppOrigin}");

        using var response = await SendAsync(server, HttpMethod.Options, origin, ("Access-Control-Request-Method", method));

        var allowsOrigin = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins) && origins.Contains(origin);
        var allowsMethod = response.Headers.TryGetValues("Access-Control-Allow-Methods", out var methods) && string.Join(",", methods).Contains(method, StringComparison.Ordinal);
        Assert.False(allowsOrigin && allowsMethod);
    }

    [Fact]
    public async Task Get_RefusedByAccessFromAnAllowedOrigin_StillCarriesCorsHeadersSoThePageSeesTheStatus()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Cors:Origins:0={AppOrigin}",
            "--Gateway:Access:DefaultPolicy=Token", "--Gateway:Access:Token:Issuer=https://id.example.test",
            "--Gateway:Access:Token:Audience=downloads", $"--Gateway:Access:Token:SigningKeys:k1={Convert.ToBase64String(new byte[32])}");

        using var response = await SendAsync(server, HttpMethod.Get, AppOrigin);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(AppOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Theory]
    [InlineData("https://app.example.test/")]
    [InlineData("https://app.example.test/path")]
    [InlineData("app.example.test")]
    [InlineData("ftp://app.example.test")]
    public async Task Start_WithAnOriginThatIsNotAnOrigin_StopsNamingTheKey(string origin)
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => GatewayServer.StartAsync(_root.Path, $"--Gateway:Cors:Origins:0={origin}"));

        Assert.Contains("Gateway:Cors:Origins:0", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(GatewayServer server, HttpMethod method, string origin, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, "files/video.bin");
        request.Headers.Add("Origin", origin);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await server.Client.SendAsync(request);
    }

    private static string[] ExposedHeaders(HttpResponseMessage response)
        => string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers")).ToLowerInvariant().Split(',', StringSplitOptions.TrimEntries);
}
