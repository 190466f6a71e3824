using LargeFileGateway.Http;
using LargeFileGateway.Offload;

namespace LargeFileGateway.UnitTests.Offload;

public sealed class NginxAccelRedirectTests
{
    [Theory]
    [InlineData("a.bin", "/_protected/a.bin")]
    [InlineData("dir/sub/file name.txt", "/_protected/dir/sub/file%20name.txt")]
    [InlineData("100%;#+&=.bin", "/_protected/100%25%3B%23%2B%26%3D.bin")]
    [InlineData("what?.iso", "/_protected/what%3F.iso")]
    [InlineData("季度报告 2024.txt", "/_protected/%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%202024.txt")]
    [InlineData("émoji 😀/x", "/_protected/%C3%A9moji%20%F0%9F%98%80/x")]
    public void InternalUri_Key_PercentEncodesEachSegmentAndKeepsSlashes(string key, string expected)
    {
        var uri = NginxAccelRedirect.InternalUri("/_protected/", key);

        Assert.Equal(expected, uri);
        Assert.True(System.Text.Ascii.IsValid(uri));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("bytes=0-9", null, true)]
    [InlineData("bytes=10-", null, true)]
    [InlineData("bytes=-10", null, true)]
    [InlineData("BYTES=0-9", null, true)]
    [InlineData("bytes=0-9", "If-Match", false)]
    [InlineData(null, "If-Match", false)]
    [InlineData("bytes=0-9", "If-Range", false)]
    [InlineData("bytes=10-", "If-Range", false)]
    [InlineData("bytes=0-1,0-1", null, false)]
    [InlineData("bytes=0-1,5-6", null, false)]
    [InlineData("bytes= 0-9", null, false)]
    [InlineData("bytes=0-9 ", null, false)]
    [InlineData("bytes=0-18446744073709551615", null, false)]
    [InlineData("bytes=abc", null, false)]
    [InlineData("items=0-9", null, false)]
    public void ReasonToSendDirectly_Request_OffloadsOnlyWhatNginxAnswersTheSame(string? range, string? conditional, bool offloadable)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (range is not null)
        {
            headers.Range = range;
        }

        if (conditional is not null)
        {
            headers[conditional] = "\"x\"";
        }

        var ranges = RangeRequest.Resolve(range, 1000, 16);

        var reason = NginxAccelRedirect.ReasonToSendDirectly(headers, ranges);

        Assert.Equal(offloadable, reason is null);
    }

    [Fact]
    public void ReasonToSendDirectly_TwoRangeFields_SendsDirectly()
    {
        IHeaderDictionary headers = new HeaderDictionary();
        headers.Range = new(["bytes=0-9", "bytes=0-9"]);

        var reason = NginxAccelRedirect.ReasonToSendDirectly(headers, RangeRequest.WholeRepresentation);

        Assert.NotNull(reason);
    }
}
