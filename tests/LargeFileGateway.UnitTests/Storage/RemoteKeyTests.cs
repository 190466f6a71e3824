using LargeFileGateway.Storage;

namespace LargeFileGateway.UnitTests.Storage;

public sealed class RemoteKeyTests
{
    [Theory]
    [InlineData("file.bin", true)]
    [InlineData("a/b/c.iso", true)]
    [InlineData("季度 报告.txt", true)]
    [InlineData("dir/file.with.dots", true)]
    [InlineData("", false)]
    [InlineData(".env", false)]
    [InlineData("dir/.git/config", false)]
    [InlineData("../outside", false)]
    [InlineData("a/../b", false)]
    [InlineData("a/./b", false)]
    [InlineData("a//b", false)]
    [InlineData("/rooted", false)]
    [InlineData("trailing/", false)]
    [InlineData("a\\..\\b", false)]
    public void IsServable_Key_AcceptsOnlyPlainSegments(string key, bool expected)
    {
        var servable = RemoteKey.IsServable(key);

        Assert.Equal(expected, servable);
    }
}
