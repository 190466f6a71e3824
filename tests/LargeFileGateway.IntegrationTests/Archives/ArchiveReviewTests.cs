using System.IO.Compression;
using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>Review of issue 15: names a download would refuse, and folder links that loop back.</summary>
public sealed class ArchiveReviewTests : IDisposable
{
    private readonly TempFolder _root = new("archive-review");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task FileNamesWithControlCharacters_LeftOutLikeTheirDownloads()
    {
        // ESC starts a terminal escape in `unzip -l`, a newline forges a line of any listing; /files refuses both.
        File.WriteAllText(_root.Combine("box", "plain.txt").EnsureFolder(), "p");
        File.WriteAllText(_root.Combine("box", "ctl\u001b[31mred\nline"), "c");
        Directory.CreateDirectory(_root.Combine("box", "dir\u0007bell"));
        File.WriteAllText(_root.Combine("box", "dir\u0007bell", "in.txt"), "i");
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");

        using var download = await server.Client.GetAsync("files/box/ctl%1B%5B31mred%0Aline");
        var bytes = await server.Client.GetByteArrayAsync("archives/box.zip");

        Assert.NotEqual(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Equal(["plain.txt"], zip.Entries.Select(e => e.FullName));
    }
}

internal static class ReviewPathExtensions
{
    public static string EnsureFolder(this string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
