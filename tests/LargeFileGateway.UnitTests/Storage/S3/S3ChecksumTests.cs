using LargeFileGateway.Storage.S3;

namespace LargeFileGateway.UnitTests.Storage.S3;

public sealed class S3ChecksumTests
{
    private const string FullObject = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";

    [Theory]
    [InlineData(FullObject, "FULL_OBJECT")]
    [InlineData(FullObject, null)]
    public void FullObjectSha256_FullObjectChecksum_IsTheDigest(string checksum, string? type)
    {
        Assert.Equal(Convert.FromBase64String(FullObject), S3Checksum.FullObjectSha256(checksum, type));
    }

    [Theory]
    [InlineData(FullObject + "-3", null)]
    [InlineData(FullObject + "-3", "COMPOSITE")]
    [InlineData(FullObject, "COMPOSITE")]
    [InlineData("", "FULL_OBJECT")]
    [InlineData(null, null)]
    [InlineData("AAAA", "FULL_OBJECT")]
    [InlineData("not base64!", "FULL_OBJECT")]
    public void FullObjectSha256_CompositeOrMalformed_IsNull(string? checksum, string? type)
    {
        Assert.Null(S3Checksum.FullObjectSha256(checksum, type));
    }
}
