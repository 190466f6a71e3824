using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class CrossOriginOptionsValidatorTests
{
    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "https://app.example.com" }, false)]
    [InlineData(new[] { "http://127.0.0.1:3000", "https://[::1]:8443" }, false)]
    [InlineData(new[] { "*" }, false)]
    [InlineData(new[] { "*", "https://app.example.com" }, true)]
    [InlineData(new[] { "https://app.example.com/" }, true)]
    [InlineData(new[] { "https://user@app.example.com" }, true)]
    [InlineData(new[] { "app.example.com" }, true)]
    public void Validate_Origins_AcceptsOnlyOrigins(string[] origins, bool fails)
    {
        var result = new CrossOriginOptionsValidator().Validate(null, new CrossOriginOptions { Origins = origins });

        Assert.Equal(fails, result.Failed);
        if (fails)
        {
            Assert.Contains("Gateway:Cors:Origins:", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_CredentialsWithAnyOrigin_Fails()
    {
        var result = new CrossOriginOptionsValidator().Validate(null, new CrossOriginOptions { Origins = ["*"], AllowCredentials = true });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Cors:AllowCredentials", result.FailureMessage, StringComparison.Ordinal);
    }
}
