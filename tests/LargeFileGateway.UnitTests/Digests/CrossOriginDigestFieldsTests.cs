using LargeFileGateway.Access;
using LargeFileGateway.Digests;

namespace LargeFileGateway.UnitTests.Digests;

public sealed class CrossOriginDigestFieldsTests
{
    [Fact]
    public void ExposedResponseHeaders_IncludeTheDigestFields()
    {
        Assert.Contains(DigestFields.ReprDigest, CrossOrigin.ExposedResponseHeaders);
        Assert.Contains(DigestFields.Digest, CrossOrigin.ExposedResponseHeaders);
        Assert.Contains(DigestFields.WantReprDigest, CrossOrigin.AllowedRequestHeaders);
        Assert.Contains(DigestFields.WantDigest, CrossOrigin.AllowedRequestHeaders);
    }
}
