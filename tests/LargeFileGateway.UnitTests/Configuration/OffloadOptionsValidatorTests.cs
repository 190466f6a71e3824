using LargeFileGateway.Configuration;
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
        var result = Validate(new OffloadOptions { Mode = OffloadMode.NginxAccelRedirect }, (StorageProviderKind)42);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Offload:Mode", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:Storage:Provider", result.FailureMessage, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(OffloadOptions options, StorageProviderKind provider = StorageProviderKind.Local)
        => new OffloadOptionsValidator(Options.Create(new StorageOptions { Provider = provider })).Validate(null, options);
}
