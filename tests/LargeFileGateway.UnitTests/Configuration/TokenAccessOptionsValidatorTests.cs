using System.Security.Cryptography;
using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class TokenAccessOptionsValidatorTests
{
    private static readonly string s_secret = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void Validate_Defaults_Succeeds()
        => Assert.True(new TokenAccessOptionsValidator().Validate(null, new AccessOptions()).Succeeded);

    [Fact]
    public void Validate_ConfiguredWithHmacAndPublicKeys_Succeeds()
    {
        using var rsa = RSA.Create(2048);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = Configured();
        options.Token.PublicKeys["rs"] = rsa.ExportSubjectPublicKeyInfoPem();
        options.Token.PublicKeys["rs-pkcs1"] = rsa.ExportRSAPublicKeyPem();
        options.Token.PublicKeys["es"] = ecdsa.ExportSubjectPublicKeyInfoPem();

        var result = new TokenAccessOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64!")]
    public void Validate_ShortOrMalformedSecret_NamesTheKey(string secret)
    {
        var options = Configured();
        options.Token.SigningKeys["weak"] = secret;

        var result = new TokenAccessOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Access:Token:SigningKeys:weak", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")]
    [InlineData("/no/such/file.pem")]
    public void Validate_UnreadablePublicKey_NamesTheKey(string pemOrPath)
    {
        var options = Configured();
        options.Token.PublicKeys["bad"] = pemOrPath;

        var result = new TokenAccessOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Access:Token:PublicKeys:bad", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeysWithoutIssuerOrAudience_Fails()
    {
        var options = new AccessOptions();
        options.Token.SigningKeys["k"] = s_secret;

        var result = new TokenAccessOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Access:Token:Issuer", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SameKeyIdForASecretAndAPublicKey_NamesBoth()
    {
        using var rsa = RSA.Create(2048);
        var options = Configured();
        options.Token.PublicKeys["k"] = rsa.ExportSubjectPublicKeyInfoPem();

        var result = new TokenAccessOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Access:Token:SigningKeys:k and Gateway:Access:Token:PublicKeys:k", result.FailureMessage, StringComparison.Ordinal);
    }

    private static AccessOptions Configured()
    {
        var options = new AccessOptions();
        options.Token.Issuer = "https://id.example.test";
        options.Token.Audience = "downloads";
        options.Token.SigningKeys["k"] = s_secret;
        return options;
    }
}
