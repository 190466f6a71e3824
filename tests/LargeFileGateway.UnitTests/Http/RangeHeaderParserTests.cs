using LargeFileGateway.Http;

namespace LargeFileGateway.UnitTests.Http;

/// <summary>The one-range shortcut is the general parser's answer for every header it accepts, and only for those.</summary>
public sealed class RangeHeaderParserTests
{
    [Theory]
    [InlineData("bytes=0-499", true)]
    [InlineData("bytes=0-0", true)]
    [InlineData("bytes=-500", true)]
    [InlineData("bytes=9500-", true)]
    [InlineData("BYTES=0-1", true)]
    [InlineData(" bytes =0-1", true)]
    [InlineData("bytes= 0-1\t", true)]
    [InlineData("bytes=0-18446744073709551615", true)]
    [InlineData("bytes=0-1,", false)] // a list with an empty element: the general parser's
    [InlineData("bytes=0-1,2-3", false)]
    [InlineData("bytes=,0-1", false)]
    [InlineData("bytes=", false)]
    [InlineData("bytes=-", false)]
    [InlineData("bytes=5-4", false)]
    [InlineData("bytes=a-1", false)]
    [InlineData("bytes=0-1-2", false)]
    [InlineData("items=0-1", false)]
    [InlineData("=0-1", false)]
    [InlineData("0-1", false)]
    [InlineData("", false)]
    public void Single_range_shortcut_agrees_with_the_general_parser(string value, bool oneRange)
    {
        var shortcut = RangeHeaderParser.TryParseSingle(value, out var spec);
        var general = RangeHeaderParser.TryParse(value, out var specs);

        Assert.Equal(oneRange, shortcut);
        if (shortcut)
        {
            Assert.True(general);
            Assert.Equal([spec], specs);
        }
        else if (general)
        {
            // Whatever the shortcut leaves is a list, which only the general parser takes.
            Assert.Contains(',', value);
        }
    }
}
