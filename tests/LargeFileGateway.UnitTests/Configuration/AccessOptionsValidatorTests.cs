using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class AccessOptionsValidatorTests
{
    private static readonly string GoodSecret = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validate(new AccessOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SignedFolderWithKeys_Succeeds()
    {
        var options = new AccessOptions
        {
            Keys = { ["2026-01"] = GoodSecret, ["k.2"] = Convert.ToBase64String(new byte[64]) },
            Rules = [new AccessRule { Prefix = "private/", Policy = AccessPolicy.Signed }, new AccessRule { Prefix = "", Policy = AccessPolicy.Open }, new AccessRule { Prefix = "reports/2026-" }],
        };

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("k 1")]
    [InlineData("k/1")]
    [InlineData("ключ")]
    public void Validate_BadKeyId_FailsNamingTheKey(string keyId)
    {
        var result = Validate(new AccessOptions { Keys = { [keyId] = GoodSecret } });

        Assert.True(result.Failed);
        Assert.StartsWith($"Gateway:Access:Keys:{keyId} ", result.Failures.Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
    public void Validate_ShortOrNotBase64Secret_FailsNamingTheKey(string secret)
    {
        var result = Validate(new AccessOptions { Keys = { ["k1"] = secret } });

        Assert.True(result.Failed);
        Assert.StartsWith("Gateway:Access:Keys:k1 must be a base64 secret of at least 32 bytes", result.Failures.Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/private/")]
    [InlineData("private//x/")]
    [InlineData("private/../x/")]
    [InlineData("./private/")]
    [InlineData(".git/")]
    [InlineData("private\\x/")]
    [InlineData("private/%2e%2e/")]
    [InlineData("private//")]
    [InlineData("/")]
    public void Validate_PrefixNotNormalized_FailsNamingTheRule(string prefix)
    {
        var result = Validate(new AccessOptions { Rules = [new AccessRule { Prefix = "ok/" }, new AccessRule { Prefix = prefix }] });

        Assert.True(result.Failed);
        Assert.StartsWith("Gateway:Access:Rules:1:Prefix ", result.Failures.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicatePrefix_FailsNamingBothRules()
    {
        var result = Validate(new AccessOptions { Rules = [new AccessRule { Prefix = "a/" }, new AccessRule { Prefix = "a/", Policy = AccessPolicy.Open }] });

        Assert.True(result.Failed);
        var failure = result.Failures.Single();
        Assert.StartsWith("Gateway:Access:Rules:1:Prefix ", failure, StringComparison.Ordinal);
        Assert.Contains("Gateway:Access:Rules:0", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccessPolicy.Signed, null)]
    [InlineData(AccessPolicy.SignedOrToken, null)]
    [InlineData(AccessPolicy.Open, AccessPolicy.Signed)]
    public void Validate_SignedPolicyWithoutKeys_FailsNamingKeysAndThePolicy(AccessPolicy defaultPolicy, AccessPolicy? rulePolicy)
    {
        var options = new AccessOptions { DefaultPolicy = defaultPolicy, Token = ConfiguredToken() };
        if (rulePolicy is { } policy)
        {
            options.Rules.Add(new AccessRule { Prefix = "private/", Policy = policy });
        }

        var result = Validate(options);

        Assert.True(result.Failed);
        var failure = result.Failures.Single();
        Assert.StartsWith("Gateway:Access:Keys names no key", failure, StringComparison.Ordinal);
        Assert.Contains(rulePolicy is null ? "Gateway:Access:DefaultPolicy" : "Gateway:Access:Rules:0:Policy", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccessPolicy.Token)]
    [InlineData(AccessPolicy.SignedOrToken)]
    public void Validate_TokenPolicyWithoutTokenSettings_FailsNamingToken(AccessPolicy policy)
    {
        var result = Validate(new AccessOptions { Keys = { ["k1"] = GoodSecret }, Rules = [new AccessRule { Prefix = "api/", Policy = policy }] });

        Assert.True(result.Failed);
        Assert.StartsWith("Gateway:Access:Token needs an Issuer", result.Failures.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TokenPolicyWithTokenSettings_Succeeds()
    {
        var result = Validate(new AccessOptions { DefaultPolicy = AccessPolicy.Token, Token = ConfiguredToken() });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        var options = new AccessOptions
        {
            DefaultPolicy = AccessPolicy.SignedOrToken,
            ResumeGrace = TimeSpan.FromDays(400),
            Rules = [new AccessRule { Prefix = "/x/" }],
        };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal(4, result.Failures.Count());
        // The annotations' messages are prefixed with the member by the options source generator, as everywhere.
        Assert.All(result.Failures, failure => Assert.Contains("Gateway:Access:", failure, StringComparison.Ordinal));
        Assert.Contains(result.Failures, failure => failure.Contains("Gateway:Access:ResumeGrace", StringComparison.Ordinal));
    }

    private static TokenAccessOptions ConfiguredToken()
        => new() { Issuer = "https://issuer.example", Audience = "files", SigningKeys = { ["t1"] = GoodSecret } };

    private static ValidateOptionsResult Validate(AccessOptions options) => new AccessOptionsValidator().Validate(null, options);
}
