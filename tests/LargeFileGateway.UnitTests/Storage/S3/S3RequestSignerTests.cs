using System.Net.Http.Headers;
using LargeFileGateway.Storage.S3;

namespace LargeFileGateway.UnitTests.Storage.S3;

/// <summary>
/// The gateway's own SigV4 against the examples of the AWS documentation ("Signature Calculations for the
/// Authorization Header: Transferring Payload in a Single Chunk", the bodiless GET examples): same keys, same date,
/// same signatures. Real servers check it too: the S3 integration tests run on RGW, which verifies every signature.
/// </summary>
public sealed class S3RequestSignerTests
{
    private const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20130524T000000Z";
    private const string Host = "examplebucket.s3.amazonaws.com";
    private static readonly DateTimeOffset Now = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("/test.txt", "", "bytes=0-9", "host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")]
    [InlineData("/", "lifecycle=", null, "host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")]
    [InlineData("/", "max-keys=2&prefix=J", null, "host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    public void Authorization_AwsDocumentationExample_GivesItsSignature(string path, string query, string? range, string signedHeaders, string signature)
    {
        var headers = new List<KeyValuePair<string, string>> { new("host", Host) };
        if (range is not null)
        {
            headers.Add(new("range", range));
        }

        headers.Add(new("x-amz-content-sha256", S3RequestSigner.EmptyPayloadHash));
        headers.Add(new("x-amz-date", AmzDate));

        var authorization = new S3RequestSigner("us-east-1").Authorization("GET", path, query, headers, AccessKeyId, SecretAccessKey, AmzDate);

        Assert.Equal($"AWS4-HMAC-SHA256 Credential={AccessKeyId}/20130524/us-east-1/s3/aws4_request,SignedHeaders={signedHeaders},Signature={signature}", authorization);
    }

    [Fact]
    public void Sign_RangedGetOfTheExample_AddsTheHeadersTheExampleSends()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");
        request.Headers.Range = new RangeHeaderValue(0, 9);

        new S3RequestSigner("us-east-1").Sign(request, AccessKeyId, SecretAccessKey, null, Now);

        Assert.Equal(Host, request.Headers.Host);
        Assert.Equal(AmzDate, Single(request, "x-amz-date"));
        Assert.Equal(S3RequestSigner.EmptyPayloadHash, Single(request, "x-amz-content-sha256"));
        Assert.False(request.Headers.Contains("x-amz-security-token"));
        Assert.EndsWith(",Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", Single(request, "Authorization"));
    }

    [Fact]
    public void Sign_QueryOutOfOrder_SignsItSorted()
    {
        // SigV4 signs the parameters sorted by name, whatever order the URL has them in.
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2");

        new S3RequestSigner("us-east-1").Sign(request, AccessKeyId, SecretAccessKey, null, Now);

        Assert.EndsWith(",Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7", Single(request, "Authorization"));
    }

    [Fact]
    public void Sign_TemporaryCredentials_SendsAndSignsTheSessionToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "http://127.0.0.1:9000/bucket/a%20b/c.bin?versionId=v1");
        using var withoutToken = new HttpRequestMessage(HttpMethod.Head, "http://127.0.0.1:9000/bucket/a%20b/c.bin?versionId=v1");

        new S3RequestSigner("eu-west-1").Sign(request, AccessKeyId, SecretAccessKey, "the-token", Now);
        new S3RequestSigner("eu-west-1").Sign(withoutToken, AccessKeyId, SecretAccessKey, null, Now);

        Assert.Equal("127.0.0.1:9000", request.Headers.Host);
        Assert.Equal("the-token", Single(request, "x-amz-security-token"));
        Assert.Contains("/20130524/eu-west-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,", Single(request, "Authorization"));
        Assert.NotEqual(Signature(withoutToken), Signature(request));
    }

    [Fact]
    public void Sign_NextDay_SignsWithThatDaysKey()
    {
        // The derived key is kept for a day: a request of the next day must not be signed with yesterday's.
        var signer = new S3RequestSigner("us-east-1");
        using var first = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");
        using var nextDay = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");
        using var fresh = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");

        signer.Sign(first, AccessKeyId, SecretAccessKey, null, Now);
        signer.Sign(nextDay, AccessKeyId, SecretAccessKey, null, Now.AddDays(1));
        new S3RequestSigner("us-east-1").Sign(fresh, AccessKeyId, SecretAccessKey, null, Now.AddDays(1));

        Assert.Contains("/20130525/", Single(nextDay, "Authorization"));
        Assert.Equal(Signature(fresh), Signature(nextDay));
        Assert.NotEqual(Signature(first), Signature(nextDay));
    }

    private static string Single(HttpRequestMessage request, string name) => Assert.Single(request.Headers.GetValues(name));

    private static string Signature(HttpRequestMessage request) => Single(request, "Authorization").Split("Signature=")[1];
}
