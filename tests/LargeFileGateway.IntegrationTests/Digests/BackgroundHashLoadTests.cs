using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>
/// Issue 14: a 4 GiB file being hashed in the background does not hold up its own downloads. The hash is throttled
/// to 1 MiB/s here, so it is certainly still running (over an hour of reading left) while eight ranged downloads
/// across the whole file (one across 2^31) run and finish.
/// </summary>
public sealed class BackgroundHashLoadTests : IDisposable
{
    private const long FourGiB = 4L << 30;
    private const int Slice = 32 << 20;

    private readonly TempFolder _root = new("hash-load");
    private readonly TempFolder _store = new("hash-load-store");

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Download_WhileTheSameFileHashesInTheBackground_EightDownloadsFinishByteExactWithoutTheDigest()
    {
        var path = _root.Combine("big.img");
        long[] offsets = [0, 1L << 30, (2L << 30) - 7, 3L << 30, (1L << 31) - (Slice / 2), FourGiB - Slice, 123_456_789, 2_500_000_000];
        TestFiles.WriteSparse(path, FourGiB, offsets.Select(static offset => (offset + 4096, 1 << 20)));
        await using var server = await GatewayServer.StartAsync(_root.Path, [.. DigestProbe.Args(_store.Path), "--Gateway:Digests:ReadRate=1048576"]);
        using var first = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/big.img"));

        // The worker holds the file open while it hashes; once it does, the downloads start.
        var hashing = await Eventually.TrueAsync(() => OpenFiles.Count(path) >= 1, TimeSpan.FromSeconds(30));

        var downloads = offsets.Select(offset => Task.Run(async () =>
        {
            using var response = await server.Client.SendAsync(DigestProbe.Get("files/big.img", $"bytes={offset}-{offset + Slice - 1}"), HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            var (sha256, length) = await TestFiles.Sha256Async(body);
            return (Offset: offset, response.StatusCode, Sha256: sha256, Length: length, Digest: DigestProbe.Field(response, "Repr-Digest"));
        })).ToArray();
        var results = await Task.WhenAll(downloads).WaitAsync(TimeSpan.FromMinutes(5));
        using var after = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/big.img"));

        Assert.True(hashing, "the worker never opened the file");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        foreach (var result in results)
        {
            Assert.Equal(HttpStatusCode.PartialContent, result.StatusCode);
            Assert.Equal(Slice, result.Length);
            Assert.Equal(await TestFiles.Sha256Async(path, result.Offset, Slice), result.Sha256);
            Assert.Null(result.Digest);
        }

        // Still hashing (1 MiB/s over 4 GiB): every answer above came while the hash ran, none waited for it.
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Null(DigestProbe.Field(after, "Repr-Digest"));
        Assert.True(OpenFiles.Count(path) >= 1, "the hash is no longer running");
    }
}
