using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>
/// Bearer tokens (JWT) validated by the framework's JwtBearer handler from configuration alone, on real Kestrel;
/// tokens are minted by IdentityModel's own handler, as an identity provider would.
/// </summary>
public sealed class TokenAccessTests : IAsyncLifetime
{
    private const string Issuer = "https://id.example.test";
    private const string Audience = "downloads";
    private static readonly byte[] s_secret = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] s_otherSecret = RandomNumberGenerator.GetBytes(32);
    private static readonly ECDsa s_ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly RSA s_rsa = RSA.Create(2048);

    private readonly TempFolder _root = new("tokens");
    private readonly CountingStorage _storage = new();
    private GatewayServer _server = null!;
    private int _tokenHandlerRuns;

    public async Task InitializeAsync()
    {
        File.WriteAllText(_root.Combine("public.txt"), "anyone");
        Directory.CreateDirectory(_root.Combine("private"));
        Directory.CreateDirectory(_root.Combine("privateer"));
        File.WriteAllText(_root.Combine("private/report.txt"), "for token holders");
        File.WriteAllText(_root.Combine("privateer/ship.txt"), "another folder");
        File.WriteAllText(_root.Combine("rsa.pem"), s_rsa.ExportSubjectPublicKeyInfoPem());
        _server = await GatewayServer.StartWithServicesAsync(_root.Path,
            services =>
            {
                services.AddSingleton<IStorageProvider>(provider => _storage.Wrap(LargeFileGateway.Storage.Local.LocalStorage.Create(provider)));

                // Every run of the JwtBearer handler reads the request's token first: this counts the runs.
                services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt => jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = _ =>
                    {
                        Interlocked.Increment(ref _tokenHandlerRuns);
                        return Task.CompletedTask;
                    },
                });
            },
            beforeStart: null,
            "--Gateway:Events:Access=Open",
            "--Gateway:Access:DefaultPolicy=Token",
            "--Gateway:Access:Rules:0:Prefix=public.txt", "--Gateway:Access:Rules:0:Policy=Open",
            $"--Gateway:Access:Token:Issuer={Issuer}",
            $"--Gateway:Access:Token:Audience={Audience}",
            $"--Gateway:Access:Token:SigningKeys:hs1={Convert.ToBase64String(s_secret)}",
            $"--Gateway:Access:Token:PublicKeys:rs1={_root.Combine("rsa.pem")}",
            $"--Gateway:Access:Token:PublicKeys:es1={s_ecdsa.ExportSubjectPublicKeyInfoPem()}");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Get_OpenKeyWithABearerHeader_NeverRunsTheTokenHandler_AndATokenKeyRunsItOnce()
    {
        // The authentication middleware that WebApplication adds in front of every request must not authenticate with
        // the lone JwtBearer scheme: a download of an open key would pay for it (and parse whatever a client sends).
        using (var open = await GetAsync("files/public.txt", "not-a-token"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        Assert.Equal(0, Volatile.Read(ref _tokenHandlerRuns));

        using var covered = await GetAsync("files/private/report.txt", Mint(prefixes: ["private/"]));
        Assert.Equal(HttpStatusCode.OK, covered.StatusCode);
        Assert.Equal(1, Volatile.Read(ref _tokenHandlerRuns));
    }

    [Fact]
    public async Task Get_ValidTokenWhosePrefixCoversTheKey_Downloads()
    {
        using var response = await GetAsync("files/private/report.txt", Mint(prefixes: ["private/"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("for token holders", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("rs1")]
    [InlineData("es1")]
    public async Task Get_TokenSignedWithAConfiguredPublicKey_Downloads(string keyId)
    {
        var key = keyId == "rs1"
            ? new SigningCredentials(new RsaSecurityKey(s_rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256)
            : new SigningCredentials(new ECDsaSecurityKey(s_ecdsa) { KeyId = keyId }, SecurityAlgorithms.EcdsaSha256);

        using var response = await GetAsync("files/private/report.txt", Mint(prefixes: ["*"], credentials: key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_PrefixClaimAsOneStringOfSeveralPrefixes_IsRead()
    {
        using var response = await GetAsync("files/private/report.txt", Mint(prefixClaim: "other/ private/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_NoToken_Answers401WithBearerChallengeWithoutTouchingStorage()
    {
        var before = _storage.Calls;

        using var response = await GetAsync("files/private/report.txt", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, _storage.Calls);
    }

    public static TheoryData<string> InvalidTokens => new()
    {
        "expired", "wrong audience", "wrong issuer", "wrong key", "unsigned", "not a jwt", "no expiry",
    };

    [Theory]
    [MemberData(nameof(InvalidTokens))]
    public async Task Get_InvalidToken_Answers401InvalidTokenWithoutTouchingStorage(string kind)
    {
        var token = kind switch
        {
            "expired" => Mint(prefixes: ["*"], expires: DateTime.UtcNow.AddMinutes(-5)),
            "wrong audience" => Mint(prefixes: ["*"], audience: "uploads"),
            "wrong issuer" => Mint(prefixes: ["*"], issuer: "https://evil.example.test"),
            "wrong key" => Mint(prefixes: ["*"], credentials: new SigningCredentials(new SymmetricSecurityKey(s_otherSecret) { KeyId = "hs1" }, SecurityAlgorithms.HmacSha256)),
            "unsigned" => Unsigned(),
            "no expiry" => Mint(prefixes: ["*"], noExpiry: true),
            _ => "not.a.jwt",
        };
        var before = _storage.Calls;

        using var response = await GetAsync("files/private/report.txt", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal(before, _storage.Calls);
    }

    [Theory]
    [InlineData("files/privateer/ship.txt")]
    [InlineData("files/private")]
    public async Task Get_ValidTokenWhosePrefixDoesNotCoverTheKey_Answers403WithoutTouchingStorage(string path)
    {
        var before = _storage.Calls;

        using var response = await GetAsync(path, Mint(prefixes: ["private/"]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, _storage.Calls);
    }

    [Fact]
    public async Task Get_TokenWithoutPrefixClaim_Answers403()
    {
        using var response = await GetAsync("files/private/report.txt", Mint(prefixes: null));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Get_OpenRuleUnderATokenDefault_NeedsNoToken()
    {
        using var response = await GetAsync("files/public.txt", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("anyone", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_TokenInTheQueryInsteadOfTheHeader_IsNotAccepted()
    {
        // RFC 6750 §2.3 discourages query tokens (they end up in logs and Referer); signed links are for URLs.
        using var response = await GetAsync($"files/private/report.txt?access_token={Mint(prefixes: ["*"])}", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Events_UnderATokenPolicyWithoutToken_Answers401()
    {
        using var response = await GetAsync("events", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Events_WithATokenForEveryKey_Streams()
    {
        using var response = await GetAsync("events", Mint(prefixes: ["*"]), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Events_WithATokenForOneFolder_Answers403BecauseTheStreamNamesEveryKey()
    {
        using var response = await GetAsync("events", Mint(prefixes: ["private/"]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _server.Client.SendAsync(request, completion);
    }

    private static string Mint(string[]? prefixes = null, string? prefixClaim = null, DateTime? expires = null, string issuer = Issuer,
        string audience = Audience, SigningCredentials? credentials = null, bool noExpiry = false)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "user-42" };
        if (prefixes is not null)
        {
            claims["prefixes"] = prefixes;
        }

        if (prefixClaim is not null)
        {
            claims["prefixes"] = prefixClaim;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = DateTime.UtcNow.AddMinutes(-10),
            NotBefore = DateTime.UtcNow.AddMinutes(-10),
            Expires = noExpiry ? null : expires ?? DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = credentials ?? new SigningCredentials(new SymmetricSecurityKey(s_secret) { KeyId = "hs1" }, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private static string Unsigned()
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return $"{Part(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" })}.{Part(new Dictionary<string, object> { ["iss"] = Issuer, ["aud"] = Audience, ["exp"] = exp, ["sub"] = "x", ["prefixes"] = new[] { "*" } })}.";
    }
}
