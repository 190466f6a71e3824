using LargeFileGateway.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class OffloadOptionsValidatorTests
{
    [Theory]
    [InlineData("/_protected/")]
    [InlineData("/internal/files/")]
    public void Validate_GoodPrefix_Succeeds(string prefix)
    {
        var result = Validate(new OffloadOptions { Mode = OffloadMode.NginxAccelRedirect, InternalPrefix = prefix });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("_protected/")]
    [InlineData("/_protected")]
    [InlineData("/a//b/")]
    [InlineData("/a/../b/")]
    [InlineData("/pro?tected/")]
    [InlineData("/pro%2Ftected/")]
    [InlineData("/pro tected/")]
    [InlineData("/geschützt/")]
    public void Validate_BadPrefix_FailsNamingTheKey(string prefix)
    {
        var result = Validate(new OffloadOptions { InternalPrefix = prefix });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Offload:InternalPrefix", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UndefinedMode_FailsNamingTheKey()
    {
        var result = Validate(new OffloadOptions { Mode = (OffloadMode)7 });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Offload:Mode", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OffloadWithAnotherProvider_FailsNamingBothKeys()
    {
        var result = Validate(new OffloadOptions { Mode = OffloadMode.NginxAccelRedirect }, "S3");

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Offload:Mode", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:Storage:Provider", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("local")]
    public void Validate_OffloadWithLocalProvider_Succeeds(string? provider)
    {
        var result = Validate(new OffloadOptions { Mode = OffloadMode.NginxAccelRedirect }, provider);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private static ValidateOptionsResult Validate(OffloadOptions options, string? provider = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Storage:Provider"] = provider })
            .Build();
        return new OffloadOptionsValidator(configuration).Validate(null, options);
    }
}
