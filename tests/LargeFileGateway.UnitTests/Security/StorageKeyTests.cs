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

    // Issue 10, reliability 9: ordinary file names on Linux, refused with 400 before.
    [Theory]
    [InlineData("file.txt:stream")]
    [InlineData("c:/windows/win.ini")]
    [InlineData("star*.txt")]
    [InlineData("what?.txt")]
    [InlineData("a<b>c.txt")]
    [InlineData("pipe|name.txt")]
    [InlineData("quote\"d.txt")]
    [InlineData("literal%41.txt")]
    [InlineData("%e4%b8%ad.txt")]
    public void TryNormalize_NameLinuxAllows_IsValidUnderLinuxRules(string path)
    {
        var verdict = StorageKey.TryNormalize(path, windowsRules: false, out var key);

        Assert.Equal(StorageKeyVerdict.Valid, verdict);
        Assert.Equal(path, key);
    }

    [Theory]
    [InlineData("file.txt:stream")]
    [InlineData("c:/windows/win.ini")]
    [InlineData("star*.txt")]
    [InlineData("what?.txt")]
    [InlineData("a<b>c.txt")]
    [InlineData("pipe|name.txt")]
    [InlineData("quote\"d.txt")]
    public void TryNormalize_NameWindowsReserves_IsMalformedUnderWindowsRules(string path)
    {
        var verdict = StorageKey.TryNormalize(path, windowsRules: true, out var key);

        Assert.Equal(StorageKeyVerdict.Malformed, verdict);
        Assert.Empty(key);
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
    [InlineData("a%2Fb.txt")]
    [InlineData("%5c..%5cetc")]
    [InlineData("a%5Cb.txt")]
    [InlineData("%252e%252e/etc/passwd")]
    [InlineData("%25252e/etc/passwd")]
    [InlineData("%c0%ae%c0%ae/etc/passwd")]
    [InlineData("%C1%9C.txt")]
    [InlineData("a%00.txt")]
    [InlineData("a%0d%0a.txt")]
    [InlineData("a\0.txt")]
    [InlineData("a\r\n.txt")]
    [InlineData("a\u007f.txt")]
    [InlineData("C:\\windows\\win.ini")]
    [InlineData("\\\\?\\c:\\x")]
    [InlineData("bad\uFFFDutf8.txt")]
    public void TryNormalize_HostilePath_IsMalformedOnEveryPlatform(string path)
    {
        var linux = StorageKey.TryNormalize(path, windowsRules: false, out var key);
        var windows = StorageKey.TryNormalize(path, windowsRules: true, out _);

        Assert.Equal(StorageKeyVerdict.Malformed, linux);
        Assert.Equal(StorageKeyVerdict.Malformed, windows);
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

    // Issue 10, reliability 3: lengths are the kernel's, in UTF-8 bytes, and too long is 414, not a storage outage.
    [Theory]
    [InlineData(255, 'a', false)]
    [InlineData(256, 'a', true)]
    [InlineData(127, 'é', false)]
    [InlineData(128, 'é', true)]
    [InlineData(85, '中', false)]
    [InlineData(86, '中', true)]
    public void TryNormalize_SegmentLength_CountsUtf8Bytes(int count, char character, bool tooLong)
    {
        var verdict = StorageKey.TryNormalize("dir/" + new string(character, count), out _);

        Assert.Equal(tooLong ? StorageKeyVerdict.TooLong : StorageKeyVerdict.Valid, verdict);
    }

    [Fact]
    public void TryNormalize_PathOverPathMaxBytes_IsTooLong()
    {
        var segment = new string('é', 100);
        var path = string.Join('/', Enumerable.Repeat(segment, 21));

        var verdict = StorageKey.TryNormalize(path, out _);

        Assert.Equal(StorageKeyVerdict.TooLong, verdict);
    }

    [Fact]
    public void TryNormalize_PathOfExactlyPathMaxLessOneBytes_IsValid()
    {
        var path = string.Join('/', Enumerable.Repeat(new string('a', 255), 16))[..StorageKey.MaxLengthBytes];

        var verdict = StorageKey.TryNormalize(path, out _);

        Assert.Equal(StorageKeyVerdict.Valid, verdict);
    }
}
