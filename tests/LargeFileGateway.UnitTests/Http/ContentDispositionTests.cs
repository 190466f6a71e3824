using LargeFileGateway.Http;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Http;

public sealed class ContentDispositionTests
{
    [Fact]
    public void Create_AsciiName_IsAttachmentWithFileName()
    {
        var value = ContentDisposition.Create("report.pdf", inline: false);

        var parsed = ContentDispositionHeaderValue.Parse(value);
        Assert.Equal("attachment", parsed.DispositionType.Value);
        Assert.Equal("report.pdf", parsed.FileName.Value?.Trim('"'));
    }

    [Fact]
    public void Create_Inline_IsInline()
    {
        var value = ContentDisposition.Create("movie.mp4", inline: true);

        Assert.StartsWith("inline;", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("季度报告 2024.zip", "%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%202024.zip")]
    [InlineData("Отчёт.xlsx", "%D0%9E%D1%82%D1%87%D1%91%D1%82.xlsx")]
    [InlineData("😀 smile.txt", "%F0%9F%98%80%20smile.txt")]
    [InlineData("𠀀 ext-b.txt", "%F0%A0%80%80%20ext-b.txt")]
    public void Create_NonAsciiName_AddsUtf8FileNameStar(string name, string encoded)
    {
        var value = ContentDisposition.Create(name, inline: false);

        Assert.Contains("filename*=UTF-8''" + encoded, value, StringComparison.Ordinal);
        var parsed = ContentDispositionHeaderValue.Parse(value);
        Assert.Equal(name, parsed.FileNameStar.Value);
        Assert.True(parsed.FileName.Value!.All(char.IsAscii));
    }

    [Theory]
    [InlineData("multi-part-one\";\\\" dummy\".txt")] // Django CVE-2022-36359
    [InlineData("a;b,c.txt")]
    [InlineData("line\r\nSet-Cookie: x=1.txt")]
    [InlineData("nul\0byte.txt")]
    [InlineData("del\u007fchar.txt")]
    [InlineData("tab\tname.txt")]
    [InlineData("back\\slash.txt")]
    [InlineData("\"quoted\".txt")]
    public void Create_HostileName_StaysOneWellFormedField(string name)
    {
        var value = ContentDisposition.Create(name, inline: false);

        Assert.DoesNotContain('\r', value);
        Assert.DoesNotContain('\n', value);
        Assert.DoesNotContain('\0', value);
        Assert.DoesNotContain('\u007f', value);
        Assert.True(ContentDispositionHeaderValue.TryParse(value, out var parsed));
        Assert.Equal("attachment", parsed!.DispositionType.Value);
        var expected = new string(name.Where(c => !char.IsControl(c)).ToArray());
        Assert.Equal(expected, parsed.FileNameStar.HasValue ? parsed.FileNameStar.Value : HeaderUtilities.RemoveQuotes(parsed.FileName).Value);
    }
}
