using LargeFileGateway.Security;

namespace LargeFileGateway.UnitTests.Security;

public sealed class StorageKeyTests
{
    [Theory]
    [InlineData("a.bin", "a.bin")]
    [InlineData("dir/a.bin", "dir/a.bin")]
    [InlineData("dir//a.bin", "dir/a.bin")]
    [InlineData("/dir/a.bin", "dir/a.bin")]
    [InlineData("dir/a.bin/", "dir/a.bin")]
    [InlineData("季度报告 2024.zip", "季度报告 2024.zip")]
    [InlineData("a..b.txt", "a..b.txt")]
    [InlineData("100%.txt", "100%.txt")]
    [InlineData("name with spaces.iso", "name with spaces.iso")]
    public void TryNormalize_SafePath_ReturnsKey(string path, string expected)
    {
        var verdict = StorageKey.TryNormalize(path, out var key);

        Assert.Equal(StorageKeyVerdict.Valid, verdict);
        Assert.Equal(expected, key);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../etc/passwd")]
    [InlineData("./a.bin")]
    [InlineData("..\\etc\\passwd")]
    [InlineData("a\\..\\b")]
    [InlineData("%2e%2e/etc/passwd")]
    [InlineData("%2E%2E%2Fetc%2Fpasswd")]
    [InlineData("..%2fetc%2fpasswd")]
    [InlineData("%5c..%5cetc")]
    [InlineData("%252e%252e/etc/passwd")]
    [InlineData("%c0%ae%c0%ae/etc/passwd")]
    [InlineData("a\0.txt")]
    [InlineData("a\r\n.txt")]
    [InlineData("a\u007f.txt")]
    [InlineData("c:/windows/win.ini")]
    [InlineData("C:\\windows\\win.ini")]
    [InlineData("\\\\?\\c:\\x")]
    [InlineData("file.txt:stream")]
    [InlineData("bad\uFFFDutf8.txt")]
    [InlineData("star*.txt")]
    public void TryNormalize_HostilePath_IsMalformed(string path)
    {
        var verdict = StorageKey.TryNormalize(path, out var key);

        Assert.Equal(StorageKeyVerdict.Malformed, verdict);
        Assert.Empty(key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData(".env")]
    [InlineData(".git/config")]
    [InlineData("dir/.hidden")]
    [InlineData("dir/.ssh/id_rsa")]
    public void TryNormalize_EmptyOrDotfile_IsHidden(string? path)
    {
        var verdict = StorageKey.TryNormalize(path, out _);

        Assert.Equal(StorageKeyVerdict.Hidden, verdict);
    }

    [Fact]
    public void TryNormalize_OverlongPath_IsMalformed()
    {
        var verdict = StorageKey.TryNormalize(new string('a', StorageKey.MaxLength + 1), out _);

        Assert.Equal(StorageKeyVerdict.Malformed, verdict);
    }

    [Fact]
    public void TryNormalize_OverlongSegment_IsMalformed()
    {
        var verdict = StorageKey.TryNormalize("dir/" + new string('a', StorageKey.MaxSegmentLength + 1), out _);

        Assert.Equal(StorageKeyVerdict.Malformed, verdict);
    }
}
