using LargeFileGateway.AccessLog;

namespace LargeFileGateway.UnitTests.AccessLog;

public sealed class CredentialRedactionTests
{
    [Theory]
    [InlineData("/files/a.iso", "/files/a.iso")]
    [InlineData("/files/a.iso?inline=1", "/files/a.iso?inline=1")]
    [InlineData("/files/a.iso?exp=1&kid=k1&sig=abc&inline=1", "/files/a.iso?exp=1&kid=k1&sig=REDACTED&inline=1")]
    [InlineData("/files/a.iso?SIG=abc", "/files/a.iso?SIG=REDACTED")]
    [InlineData("/files/a.iso?%73ig=abc", "/files/a.iso?%73ig=REDACTED")]
    [InlineData("/events?access_token=t0ken&x", "/events?access_token=REDACTED&x")]
    [InlineData("/files/a.iso?sig=1&sig=2", "/files/a.iso?sig=REDACTED&sig=REDACTED")]
    [InlineData("/files/a.iso?signature=keep", "/files/a.iso?signature=keep")]
    public void RedactCredentials_Target_HidesOnlyCredentialValues(string target, string expected)
        => Assert.Equal(expected, AccessLogEntries.RedactCredentials(target));

    [Fact]
    public void RedactCredentials_NothingToHide_ReturnsTheSameString()
    {
        const string target = "/files/a.iso?exp=1&kid=k1";

        Assert.Same(target, AccessLogEntries.RedactCredentials(target));
    }
}
