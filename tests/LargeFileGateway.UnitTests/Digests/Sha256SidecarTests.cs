using System.Text;
using LargeFileGateway.Digests;

namespace LargeFileGateway.UnitTests.Digests;

public sealed class Sha256SidecarTests
{
    private const string Hex = "fe5dd5a19ea2c7a4d8f8ff954c0301d724e8e3d110e59864328aec32005597fe";
    private const string OtherHex = "0000000000000000000000000000000000000000000000000000000000000001";

    [Theory]
    [InlineData(Hex + "  big.iso\n")]
    [InlineData(Hex + " *big.iso\n")]
    [InlineData(Hex + "  big.iso\r\n")]
    [InlineData(Hex + "  dist/big.iso\n")]
    [InlineData(OtherHex + "  other.iso\n" + Hex + "  big.iso\n")]
    [InlineData("# SHA256SUMS\n" + Hex + "  big.iso")]
    [InlineData(Hex + "  renamed-elsewhere.iso\n")]
    public void Find_LineForTheFile_ReturnsItsDigest(string content)
    {
        var digest = Sha256Sidecar.Find(Encoding.UTF8.GetBytes(content), "big.iso");

        Assert.Equal(Hex, digest is null ? null : Convert.ToHexStringLower(digest));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a checksum\n")]
    [InlineData("fe5dd5  big.iso\n")]
    [InlineData(OtherHex + "  a.iso\n" + Hex + "  b.iso\n")]
    [InlineData("zz5dd5a19ea2c7a4d8f8ff954c0301d724e8e3d110e59864328aec32005597fe  big.iso\n")]
    [InlineData(Hex + "big.iso\n")]
    public void Find_NoLineForTheFile_ReturnsNull(string content)
    {
        Assert.Null(Sha256Sidecar.Find(Encoding.UTF8.GetBytes(content), "big.iso"));
    }

    [Fact]
    public void Line_IsWhatSha256sumWrites()
    {
        Assert.Equal(Hex + "  big.iso\n", Sha256Sidecar.Line(Convert.FromHexString(Hex), "big.iso"));
    }
}
