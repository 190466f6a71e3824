using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Configuration;

public sealed class DownloadOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new DownloadOptionsValidator().Validate(null, new DownloadOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SeveralBadValues_NamesEveryKeyAtOnce()
    {
        var options = new DownloadOptions
        {
            ChunkSizeBytes = 100,
            MaxRanges = 0,
            CacheControl = "public\r\nSet-Cookie: x=1",
            ContentTypes = new(StringComparer.OrdinalIgnoreCase) { [".ok"] = "text/plain", [".foo"] = "not a type", ["bar"] = "text/plain" },
        };

        var result = new DownloadOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[] { "ChunkSizeBytes", "MaxRanges", "CacheControl", "ContentTypes:.foo", "ContentTypes:bar" })
        {
            Assert.Contains($"Gateway:Download:{key} ", result.FailureMessage, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("ContentTypes:.ok", result.FailureMessage, StringComparison.Ordinal);
    }
}
