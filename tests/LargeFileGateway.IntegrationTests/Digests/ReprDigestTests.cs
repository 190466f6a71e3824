using System.Net;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>
/// Issue 14: Repr-Digest and Digest of a local file, learnt in the background after the first request, compared with
/// coreutils' sha256sum of the file on disk.
/// </summary>
public sealed class ReprDigestTests : IDisposable
{
    private static readonly TimeSpan HashTime = TimeSpan.FromSeconds(60);

    private readonly TempFolder _root = new("digest-root");
    private readonly TempFolder _store = new("digest-store");

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Get_FirstRequestOfAVersion_HasNoDigestThenHeadGetsSha256sumOfTheFile()
    {
        var path = _root.Combine("image.iso");
        TestFiles.WriteRandom(path, 8 * 1024 * 1024, seed: 140);
        var expected = DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(path));
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));

        using var first = await server.Client.GetAsync("files/image.iso");
        var learnt = await DigestProbe.WaitForReprDigestAsync(server.Client, "files/image.iso", HashTime);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Null(DigestProbe.Field(first, "Repr-Digest"));
        Assert.Equal(expected, learnt);
    }

    [Fact]
    public async Task Get_KnownDigest_ReprDigestOfTheWholeFileOn200SingleAndMultipart206AndHead()
    {
        var path = _root.Combine("disk.img");
        TestFiles.WriteRandom(path, 3 * 1024 * 1024 + 17, seed: 141);
        var expected = DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(path));
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));
        await DigestProbe.WaitForReprDigestAsync(server.Client, "files/disk.img", HashTime);

        using var whole = await server.Client.SendAsync(DigestProbe.Get("files/disk.img"));
        using var single = await server.Client.SendAsync(DigestProbe.Get("files/disk.img", "bytes=100-199"));
        using var multipart = await server.Client.SendAsync(DigestProbe.Get("files/disk.img", "bytes=0-9,1000-1099"));
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/disk.img"));
        using var notModified = await server.Client.SendAsync(DigestProbe.Get("files/disk.img", null, ("If-None-Match", whole.Headers.ETag!.ToString())));

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, single.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, multipart.StatusCode);
        Assert.Equal("multipart/byteranges", multipart.Content.Headers.ContentType?.MediaType);
        Assert.All(new[] { whole, single, multipart, head }, response => Assert.Equal(expected, DigestProbe.Field(response, "Repr-Digest")));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Null(DigestProbe.Field(notModified, "Repr-Digest"));
        Assert.Null(DigestProbe.Field(whole, "Digest"));
    }

    [Fact]
    public async Task Get_WantDigest_AnswersRfc3230DigestAsAria2ReadsIt()
    {
        var path = _root.Combine("a.bin");
        TestFiles.WriteRandom(path, 200_000, seed: 142);
        var hex = await DigestProbe.Sha256SumAsync(path);
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));
        await DigestProbe.WaitForReprDigestAsync(server.Client, "files/a.bin", HashTime);

        using var response = await server.Client.SendAsync(DigestProbe.Get("files/a.bin", null, ("Want-Digest", "SHA-512;q=1, SHA-256;q=1, SHA;q=0.1")));

        Assert.Equal("SHA-256=" + Convert.ToBase64String(Convert.FromHexString(hex)), DigestProbe.Field(response, "Digest"));
    }

    [Fact]
    public async Task Get_Sha512ConfiguredAndPreferred_ReprDigestIsSha512sumOfTheFile()
    {
        var path = _root.Combine("b.bin");
        TestFiles.WriteRandom(path, 500_000, seed: 143);
        var sha256 = await DigestProbe.Sha256SumAsync(path);
        var sha512 = await DigestProbe.Sha512SumAsync(path);
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path, "--Gateway:Digests:Algorithms:0=sha-256", "--Gateway:Digests:Algorithms:1=sha-512"));
        await DigestProbe.WaitForReprDigestAsync(server.Client, "files/b.bin", HashTime);

        using var prefers512 = await server.Client.SendAsync(DigestProbe.Get("files/b.bin", null, ("Want-Repr-Digest", "sha-256=1, sha-512=9")));
        using var prefers256 = await server.Client.SendAsync(DigestProbe.Get("files/b.bin", null, ("Want-Repr-Digest", "sha-512=0, sha-256=3")));

        Assert.Equal(DigestProbe.ReprDigest("sha-512", sha512), DigestProbe.Field(prefers512, "Repr-Digest"));
        Assert.Equal(DigestProbe.ReprDigest("sha-256", sha256), DigestProbe.Field(prefers256, "Repr-Digest"));
    }

    [Fact]
    public async Task Get_FileReplacedUnderConcurrentRequests_NeverSendsTheOldDigestForNewBytes()
    {
        var path = _root.Combine("live.bin");
        TestFiles.WriteRandom(path, 1024 * 1024, seed: 144);
        var oldDigest = DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(path));
        var next = _root.Combine("next.tmp");
        TestFiles.WriteRandom(next, 1024 * 1024, seed: 145);
        var newDigest = DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(next));
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));
        await DigestProbe.WaitForReprDigestAsync(server.Client, "files/live.bin", HashTime);

        // Four clients loop over the file while it is replaced; each answer's digest must be that of the bytes it carries.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var replaced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawNew = 0;
        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        var answers = 0;
        async Task ClientAsync()
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested && Volatile.Read(ref sawNew) < 8; i++)
            {
                using var response = await server.Client.GetAsync("files/live.bin", stop.Token);
                var body = await response.Content.ReadAsByteArrayAsync(stop.Token);
                var actual = DigestProbe.ReprDigest("sha-256", Convert.ToHexStringLower(SHA256.HashData(body)));
                var sent = DigestProbe.Field(response, "Repr-Digest");
                Interlocked.Increment(ref answers);
                if (sent is not null && sent != actual)
                {
                    mismatches.Add($"sent {sent} for bytes {actual}");
                }

                if (sent == newDigest)
                {
                    Interlocked.Increment(ref sawNew);
                }

                if (i == 3)
                {
                    await replaced.Task.WaitAsync(stop.Token);
                }
            }
        }

        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(ClientAsync)).ToArray();
        File.Move(next, path, overwrite: true);
        replaced.SetResult();
        await Task.WhenAll(clients);

        Assert.Empty(mismatches);
        Assert.True(Volatile.Read(ref sawNew) >= 8, $"the new digest did not appear ({answers} answers)");
        Assert.NotEqual(oldDigest, newDigest);
    }
}
