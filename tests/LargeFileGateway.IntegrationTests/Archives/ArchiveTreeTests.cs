using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// Issue 15: the zip of a tree with nested folders, an empty folder, a zero-byte file, Chinese names and hidden
/// entries, as real zip readers and HTTP clients see it: whole, HEAD, ranges, multipart, 416, from a fresh gateway.
/// </summary>
public sealed class ArchiveTreeTests() : GatewayTest("archive-tree"), IDisposable
{
    private const string Url = "archives/tree.zip";
    private readonly TempFolder _downloads = new("archive-tree-out");
    private byte[] _full = null!;

    protected override string[] GatewayArguments => ["--Gateway:Archives:Enabled=true"];

    public void Dispose() => _downloads.Dispose();

    protected override Task ArrangeAsync()
    {
        var tree = Root.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "empty"));
        Directory.CreateDirectory(Path.Combine(tree, "nested", "only-hidden"));
        File.WriteAllText(Path.Combine(tree, "a.txt"), "hello");
        File.WriteAllBytes(Path.Combine(tree, "zero.bin"), []);
        TestFiles.WriteRandom(Path.Combine(tree, "只有", "中文名字.txt"), 10_000, seed: 1);
        TestFiles.WriteRandom(Path.Combine(tree, "nested", "deeper", "deepest", "r.bin"), 3 << 20, seed: 2);
        TestFiles.WriteRandom(Path.Combine(tree, "nested", "s.bin"), (1 << 20) + 1, seed: 3);
        File.WriteAllText(Path.Combine(tree, ".hidden"), "never");
        File.WriteAllText(Path.Combine(tree, "nested", "only-hidden", ".x"), "never");
        TestFiles.WriteRandom(Path.Combine(tree, ".dot-folder", "inside.bin"), 100, seed: 4);
        return Task.CompletedTask;
    }

    protected override async Task StartedAsync() => _full = await Server.Client.GetByteArrayAsync(Url);

    [Fact]
    public async Task FullDownload_UnzipSevenZipAndPythonAccept_EveryFileMatchesItsSourceAndEmptyFoldersAreEntries()
    {
        var archive = _downloads.Combine("tree.zip");

        await ZipTools.DownloadAsync(new Uri(Server.BaseAddress, Url).AbsoluteUri, archive);

        await ZipTools.AssertAllAcceptAsync(archive);
        var members = await ZipTools.MembersAsync(archive);
        var sources = await ZipTools.SourcesAsync(Root.Combine("tree"));
        var files = members.Where(m => !m.Key.EndsWith('/')).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        Assert.Equal(sources.OrderBy(s => s.Key, StringComparer.Ordinal), files.OrderBy(f => f.Key, StringComparer.Ordinal));
        Assert.Equal(["empty/", "nested/only-hidden/"], members.Keys.Where(k => k.EndsWith('/')).Order(StringComparer.Ordinal));
        Assert.Equal(_full, await File.ReadAllBytesAsync(archive));
    }

    [Fact]
    public async Task FullDownload_UnzipExtractsToDisk_EveryFileMatchesItsSource()
    {
        var archive = _downloads.Combine("extract.zip");
        var into = _downloads.Combine("extracted");
        await File.WriteAllBytesAsync(archive, _full);

        var unzip = await ExternalTool.RunAsync("unzip", ["-q", archive, "-d", into], TimeSpan.FromMinutes(2));

        Assert.True(unzip.ExitCode == 0, unzip.Output);
        Assert.Equal(await ZipTools.SourcesAsync(Root.Combine("tree")), await ZipTools.SourcesAsync(into));
        Assert.True(Directory.Exists(Path.Combine(into, "empty")));
        Assert.Equal(File.GetLastWriteTimeUtc(Root.Combine("tree", "a.txt")).AddTicks(-(File.GetLastWriteTimeUtc(Root.Combine("tree", "a.txt")).Ticks % TimeSpan.TicksPerSecond)),
            File.GetLastWriteTimeUtc(Path.Combine(into, "a.txt")));
    }

    [Fact]
    public async Task Head_ExactLengthAndTheHeadersOfTheGet()
    {
        using var get = await Server.Client.GetAsync(Url);
        using var head = await Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(_full.Length, head.Content.Headers.ContentLength);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal("application/zip", head.Content.Headers.ContentType?.MediaType);
        Assert.False(head.Headers.ETag!.IsWeak);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal("bytes", string.Join(",", head.Headers.AcceptRanges));
        Assert.Equal("attachment", head.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("tree.zip", head.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var newest = Directory.EnumerateFiles(Root.Combine("tree"), "*", SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(Root.Path, p).Split('/').Any(s => s.StartsWith('.')))
            .Max(File.GetLastWriteTimeUtc);
        Assert.Equal(newest.AddTicks(-(newest.Ticks % TimeSpan.TicksPerSecond)), head.Content.Headers.LastModified!.Value.UtcDateTime);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ChineseFolder_ContentDispositionHasTheUtf8NameAndTheZipItsMember()
    {
        using var response = await Server.Client.GetAsync("archives/tree/%E5%8F%AA%E6%9C%89.zip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("filename*=UTF-8''%E5%8F%AA%E6%9C%89.zip", response.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        var archive = _downloads.Combine("chinese.zip");
        await File.WriteAllBytesAsync(archive, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["中文名字.txt"], (await ZipTools.MembersAsync(archive)).Keys);
    }

    [Fact]
    public async Task RandomSingleRanges_Seeded_EqualTheSameOffsetsOfAFullDownload()
    {
        var random = new Random(15);
        for (var i = 0; i < 40; i++)
        {
            var first = random.NextInt64(_full.Length);
            var last = Math.Min(_full.Length - 1, first + random.NextInt64(1, 2 << 20));

            using var response = await Server.Client.SendAsync(Get(Url, new RangeHeaderValue(first, last)));

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {first}-{last}/{_full.Length}", response.Content.Headers.ContentRange?.ToString());
            Assert.Equal(_full.AsSpan((int)first, (int)(last - first + 1)).ToArray(), await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task MultipleRanges_MultipartPartsEqualTheFullDownload()
    {
        var tail = _full.Length - 300;
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.TryAddWithoutValidation("Range", $"bytes=0-99,2000000-2000999,{tail}-");

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType?.MediaType);
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
        var parts = await MultipartReader.ReadPartsAsync(await response.Content.ReadAsByteArrayAsync(), boundary);
        Assert.Equal(3, parts.Count);
        Assert.Equal(_full[..100], parts[0].Body);
        Assert.Equal(_full.AsSpan(2_000_000, 1000).ToArray(), parts[1].Body);
        Assert.Equal(_full[tail..], parts[2].Body);
        Assert.Equal($"bytes {tail}-{_full.Length - 1}/{_full.Length}", parts[2].ContentRange);
    }

    [Fact]
    public async Task RangePastTheEnd_416WithTheArchiveLength()
    {
        using var response = await Server.Client.SendAsync(Get(Url, new RangeHeaderValue(_full.Length, null)));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{_full.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task IfNoneMatchTheETag_304()
    {
        using var first = await Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url));
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task RangesInsideAMemberAndInTheCentralDirectory_FreshGatewayThatNeverComputedACrc_SameBytes()
    {
        // r.bin (3 MiB) is most of the archive: 1,500,000 starts inside it; the tail is the central directory, which
        // needs every CRC, none of them computed by the fresh gateway.
        long[] starts = [1_500_000, _full.Length - 700, 20];
        foreach (var first in starts)
        {
            await using var fresh = await GatewayServer.StartAsync(Root.Path, GatewayArguments);

            using var response = await fresh.Client.SendAsync(Get(Url, new RangeHeaderValue(first, null)));

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(_full[(int)first..], await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [InlineData("archives/no-such-folder.zip", "No such folder.")]
    [InlineData("archives/tree/a.txt.zip", "No such folder.")]
    [InlineData("archives/tree/.dot-folder.zip", null)]
    [InlineData("archives/tree", null)]
    [InlineData("archives/.zip", null)]
    public async Task NoFolderBehindThePath_404ProblemDetails(string path, string? detail)
    {
        using var response = await Server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        if (detail is not null)
        {
            Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Post_405WithAllow()
    {
        using var response = await Server.Client.PostAsync(Url, new ByteArrayContent(Encoding.ASCII.GetBytes("x")));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, HEAD", string.Join(", ", response.Content.Headers.Allow));
    }

    private static HttpRequestMessage Get(string url, RangeHeaderValue range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = range;
        return request;
    }
}
