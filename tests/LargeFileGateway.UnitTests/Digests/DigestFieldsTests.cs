using LargeFileGateway.Digests;

namespace LargeFileGateway.UnitTests.Digests;

public sealed class DigestFieldsTests
{
    private static readonly byte[] Sha256 = Enumerable.Range(0, 32).Select(static i => (byte)i).ToArray();
    private static readonly byte[] Sha512 = Enumerable.Range(0, 64).Select(static i => (byte)i).ToArray();

    private static ContentFacts Only256 => new(new Dictionary<string, byte[]> { [ContentFacts.Sha256] = Sha256 }, ContentFactsSource.Computed);

    private static ContentFacts Both => Only256.With(ContentFacts.Sha512, Sha512);

    [Theory]
    [InlineData(null, "sha-512")]
    [InlineData("sha-256=1, sha-512=9", "sha-512")]
    [InlineData("sha-256=9, sha-512=1", "sha-256")]
    [InlineData("sha-512=0", "sha-256")]
    [InlineData("sha-512=0, sha-256=0", null)]
    [InlineData("sha-256=3;x=1", "sha-256")]
    [InlineData("sha-256=11", "sha-512")]
    [InlineData("md5=10", "sha-512")]
    [InlineData("garbage", "sha-512")]
    public void ChooseReprDigest_Preferences_PicksTheKnownAlgorithmOfHighestWeight(string? want, string? expected)
    {
        Assert.Equal(expected, DigestFields.ChooseReprDigest(want, Both));
    }

    [Theory]
    [InlineData("sha-512=10", "sha-256")]
    [InlineData("sha-256=0", null)]
    public void ChooseReprDigest_OnlySha256Known_FallsBackUnlessRefused(string want, string? expected)
    {
        Assert.Equal(expected, DigestFields.ChooseReprDigest(want, Only256));
    }

    [Theory]
    [InlineData("SHA-512;q=1, SHA-256;q=1, SHA;q=0.1", "sha-256")]
    [InlineData("sha-256", "sha-256")]
    [InlineData("SHA-256;q=0", null)]
    [InlineData("MD5", null)]
    [InlineData("", null)]
    public void ChooseLegacyDigest_WantDigest_PicksAListedKnownAlgorithm(string want, string? expected)
    {
        Assert.Equal(expected, DigestFields.ChooseLegacyDigest(want, Only256));
    }

    [Fact]
    public void Write_WantDigest_SendsBothFieldsInTheirOwnSyntax()
    {
        var request = new HeaderDictionary { ["Want-Digest"] = "SHA-256;q=1" };
        var response = new HeaderDictionary();

        DigestFields.Write(request, response, Only256);

        Assert.Equal("sha-256=:" + Convert.ToBase64String(Sha256) + ":", response["Repr-Digest"].ToString());
        Assert.Equal("SHA-256=" + Convert.ToBase64String(Sha256), response["Digest"].ToString());
    }

    [Fact]
    public void Write_UnknownVersion_SendsNothing()
    {
        var response = new HeaderDictionary();

        DigestFields.Write(new HeaderDictionary { ["Want-Digest"] = "SHA-256" }, response, facts: null);

        Assert.Empty(response);
    }
}
