using LargeFileGateway.Listing;

namespace LargeFileGateway.UnitTests.Listing;

public sealed class ListingCursorTests
{
    [Theory]
    [InlineData("a.txt")]
    [InlineData("季度 报告 #1.txt")]
    [InlineData("many/sub2/\U0010FFFF")]
    [InlineData("x?y&z=1/+")]
    public void Encode_ThenDecode_GivesTheProviderCursorBack_InUrlSafeCharacters(string providerCursor)
    {
        var cursor = ListingCursor.Encode(providerCursor);

        Assert.True(ListingCursor.TryDecode(cursor, out var decoded));
        Assert.Equal(providerCursor, decoded);
        Assert.Matches("^[A-Za-z0-9_-]+$", cursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("%%%")]
    [InlineData("a b")]
    [InlineData("abc=")]
    [InlineData("_w")]
    public void TryDecode_NotMadeByEncode_IsFalse(string cursor)
    {
        Assert.False(ListingCursor.TryDecode(cursor, out _));
    }

    [Fact]
    public void TryDecode_Oversized_IsFalse()
    {
        Assert.False(ListingCursor.TryDecode(new string('A', ListingCursor.MaxLength + 4), out _));
    }
}
