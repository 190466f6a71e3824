using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>A sparse file larger than 2^32 bytes with random islands where the interesting offsets are.</summary>
public sealed class LargeFileFixture : IAsyncLifetime
{
    public const long FourGiB = 1L << 32;
    public const long Length = FourGiB + (3L << 20) + 17;
    public const int ChunkSizeBytes = 64 * 1024;
    private readonly TempFolder _root = new("large");

    public string FilePath => _root.Combine("big.iso");

    public GatewayServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteSparse(FilePath, Length,
        [
            (0, 1 << 20),
            ((1L << 31) - (1 << 19), 1 << 20),
            (FourGiB - (1 << 20), 2 << 20),
            (Length - (1 << 20), 1 << 20),
        ]);
        Server = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Download:ChunkSizeBytes={ChunkSizeBytes}");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _root.Dispose();
    }
}

public sealed class LargeFileTests(LargeFileFixture fixture) : IClassFixture<LargeFileFixture>
{
    [Fact]
    public async Task GetWholeFileLargerThan4GiB_IsByteExact()
    {
        var expected = await TestFiles.Sha256Async(fixture.FilePath);

        using var response = await fixture.Server.Client.GetAsync("files/big.iso", HttpCompletionOption.ResponseHeadersRead);
        var (sha, length) = await TestFiles.Sha256Async(await response.Content.ReadAsStreamAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(LargeFileFixture.Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/x-iso9660-image", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(LargeFileFixture.Length, length);
        Assert.Equal(expected, sha);
    }

    [Theory]
    [InlineData(LargeFileFixture.FourGiB, 4096)] // starts exactly at 2^32
    [InlineData(LargeFileFixture.FourGiB + 12345, 100_000)] // starts past 4 GiB
    [InlineData(LargeFileFixture.FourGiB - 5, 10)] // straddles 2^32 (a chunk boundary too)
    [InlineData(LargeFileFixture.FourGiB - LargeFileFixture.ChunkSizeBytes - 1, LargeFileFixture.ChunkSizeBytes + 2)] // straddles two chunk boundaries
    [InlineData((1L << 31) - 3, 7)] // straddles 2^31
    [InlineData(LargeFileFixture.Length - 1, 1)] // the last byte
    public async Task GetRangeBeyond32Bits_IsByteExact(long first, long length)
    {
        var last = first + length - 1;
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/big.iso");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(first, last);

        using var response = await fixture.Server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var (sha, received) = await TestFiles.Sha256Async(await response.Content.ReadAsStreamAsync());

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/{LargeFileFixture.Length}", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(length, received);
        Assert.Equal(await TestFiles.Sha256Async(fixture.FilePath, first, length), sha);
    }

    [Fact]
    public async Task GetSuffixAndOpenRangesPast4GiB_AreByteExact()
    {
        foreach (var (header, first) in new[] { ("bytes=-3000000", LargeFileFixture.Length - 3_000_000), ($"bytes={LargeFileFixture.FourGiB + 1}-", LargeFileFixture.FourGiB + 1) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "files/big.iso");
            request.Headers.TryAddWithoutValidation("Range", header);

            using var response = await fixture.Server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var (sha, received) = await TestFiles.Sha256Async(await response.Content.ReadAsStreamAsync());

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(LargeFileFixture.Length - first, received);
            Assert.Equal(await TestFiles.Sha256Async(fixture.FilePath, first), sha);
        }
    }

    [Fact]
    public async Task GetMultipartPast4GiB_EachPartIsByteExact()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/big.iso");
        request.Headers.TryAddWithoutValidation("Range", $"bytes={LargeFileFixture.FourGiB - 10}-{LargeFileFixture.FourGiB + 9},0-99,-50");

        using var response = await fixture.Server.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!;
        var parts = await MultipartReader.ReadPartsAsync(body, boundary);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(3, parts.Count);
        var expected = new (long First, long Length)[] { (LargeFileFixture.FourGiB - 10, 20), (0, 100), (LargeFileFixture.Length - 50, 50) };
        for (var i = 0; i < expected.Length; i++)
        {
            var (first, length) = expected[i];
            Assert.Equal($"bytes {first}-{first + length - 1}/{LargeFileFixture.Length}", parts[i].ContentRange);
            Assert.Equal(await TestFiles.Sha256Async(fixture.FilePath, first, length), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(parts[i].Body)));
        }
    }
}
