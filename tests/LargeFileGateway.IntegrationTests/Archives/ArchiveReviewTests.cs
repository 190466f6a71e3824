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

    [Fact]
    public async Task FolderLinkToItself_ArchiveHoldsTheFolderOnce()
    {
        // box/again -> box: before, the walk went down box/again/again/... to the key length limit (about 2,000
        // levels, a listing and an open per file at each), and the zip held every file once per level.
        File.WriteAllText(_root.Combine("box", "a.txt").EnsureFolder(), "a");
        File.WriteAllText(_root.Combine("box", "b.txt"), "b");
        File.CreateSymbolicLink(_root.Combine("box", "again"), _root.Combine("box"));
        Directory.CreateDirectory(_root.Combine("other"));
        File.WriteAllText(_root.Combine("other", "o.txt"), "o");
        File.CreateSymbolicLink(_root.Combine("box", "to-other"), _root.Combine("other"));
        File.CreateSymbolicLink(_root.Combine("other", "back"), _root.Combine("box"));
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true", "--Gateway:Archives:MaxEntries=5000");

        var bytes = await server.Client.GetByteArrayAsync("archives/box.zip");

        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Equal(["a.txt", "b.txt", "to-other/o.txt"], zip.Entries.Select(e => e.FullName));
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
