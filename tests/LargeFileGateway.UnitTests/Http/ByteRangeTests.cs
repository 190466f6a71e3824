using LargeFileGateway.Http;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Http;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(0, 1, 62)]
    [InlineData(4_294_901_760, 4_294_967_295, 4_294_967_296)]
    [InlineData(long.MaxValue - 1, long.MaxValue - 1, long.MaxValue)]
    public void Content_range_is_the_framework_s_text_and_parses_back(long first, long last, long completeLength)
    {
        var value = new ByteRange(first, last).ToContentRange(completeLength);

        Assert.Equal(new ContentRangeHeaderValue(first, last, completeLength).ToString(), value);
        Assert.Equal($"bytes {first}-{last}/{completeLength}", value);
        Assert.True(ContentRangeHeaderValue.TryParse(value, out var parsed));
        Assert.Equal((first, last, completeLength), (parsed.From, parsed.To, parsed.Length));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(62)]
    [InlineData(long.MaxValue)]
    public void Unsatisfied_content_range_is_the_framework_s_text(long completeLength)
    {
        var value = ByteRange.UnsatisfiedContentRange(completeLength);

        Assert.Equal(new ContentRangeHeaderValue(completeLength).ToString(), value);
        Assert.Equal($"bytes */{completeLength}", value);
    }
}
