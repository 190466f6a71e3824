using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class StorageOptionsValidatorTests
{
    [Fact]
    public void Validate_UndefinedProviderAndNoRoot_NamesBothRules()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Provider = (StorageProviderKind)9 });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Storage:Provider must be Local, S3 or HttpOrigin", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LocalWithoutRoot_NamesTheRoot()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions());

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Storage:Root", result.FailureMessage, StringComparison.Ordinal);
    }
}
