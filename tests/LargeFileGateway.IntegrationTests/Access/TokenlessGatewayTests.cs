using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Authentication;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>
/// A gateway without token validation configured registers no authentication services, so the authentication
/// middleware that WebApplication adds once they exist is not in front of every download. A policy that takes tokens
/// needs token validation configured, and without it the gateway does not start, as before.
/// </summary>
public sealed class TokenlessGatewayTests : IDisposable
{
    private readonly TempFolder _root = new("tokenless");

    public TokenlessGatewayTests()
    {
        File.WriteAllText(_root.Combine("public.txt"), "anyone");
        Directory.CreateDirectory(_root.Combine("private"));
        File.WriteAllText(_root.Combine("private/report.txt"), "for token holders");
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task OpenGateway_RegistersNoAuthentication_AndServesWithABearerHeaderAsWithout()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path);

        Assert.Null(server.Services.GetService<IAuthenticationSchemeProvider>());
        Assert.Null(server.Services.GetService<IAuthenticationService>());
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/public.txt");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("anyone", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Token")]
    [InlineData("SignedOrToken")]
    public async Task PolicyTakingTokensWithoutTokenValidation_FailsAtStart_NamingTheSettings(string policy)
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => GatewayServer.StartAsync(_root.Path,
            "--Gateway:Access:Rules:0:Prefix=private/", $"--Gateway:Access:Rules:0:Policy={policy}",
            $"--Gateway:Access:Keys:k1={Convert.ToBase64String(new byte[32])}"));

        Assert.Contains("Gateway:Access:Token needs an Issuer, an Audience", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenSettingsSetInCodeAfterTheBuild_FailAtStart_NamingTheCause()
    {
        // Without the check, the options would say "tokens configured" with no handler registered, and every valid
        // token would be answered 500.
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => GatewayServer.StartWithServicesAsync(_root.Path,
            services => services.PostConfigure<LargeFileGateway.Configuration.AccessOptions>(access =>
            {
                access.Token.Issuer = "https://id.example.test";
                access.Token.Audience = "downloads";
                access.Token.SigningKeys["k1"] = Convert.ToBase64String(new byte[32]);
            }),
            beforeStart: null,
            "--Gateway:Access:Rules:0:Prefix=private/", "--Gateway:Access:Rules:0:Policy=Token"));

        Assert.Contains("Gateway:Access:Token was set after the gateway read its configuration", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenValidationConfigured_RegistersTheJwtBearerScheme()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path,
            "--Gateway:Access:Rules:0:Prefix=private/", "--Gateway:Access:Rules:0:Policy=Token",
            "--Gateway:Access:Token:Issuer=https://id.example.test", "--Gateway:Access:Token:Audience=downloads",
            $"--Gateway:Access:Token:SigningKeys:k1={Convert.ToBase64String(new byte[32])}");

        var schemes = server.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        Assert.NotNull(await schemes.GetSchemeAsync("Bearer"));
        Assert.Null(await schemes.GetDefaultAuthenticateSchemeAsync());
    }
}
