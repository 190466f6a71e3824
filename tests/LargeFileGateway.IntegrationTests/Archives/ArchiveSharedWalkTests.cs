using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.Archives;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// The connections of a download manager share one walk of the folder: while a download of an archive runs, the
/// ranged requests that join it do not walk again, and every piece is the same bytes as the whole; once a request
/// has read the archive to its end, the next one walks again and sees a changed folder.
/// </summary>
public sealed class ArchiveSharedWalkTests() : GatewayTest("archive-shared-walk")
{
    protected override string[] GatewayArguments => ["--Gateway:Archives:Enabled=true"];

    protected override Task ArrangeAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            TestFiles.WriteRandom(Root.Combine("many", $"d{i % 7}", $"f{i:D3}.bin"), 100_000 + (i * 97), seed: 300 + i);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task SixteenRangesDuringADownload_OneWalk_EveryPieceEqualsTheWholeArchive_NextFullRequestWalksAgain()
    {
        var members = Server.Services.GetRequiredService<ArchiveMembers>();
        var walksBefore = members.Walks;

        // The first connection: the whole archive (20 MiB, more than the socket buffers hold), headers read, body left
        // waiting (as aria2c's first connection).
        using var first = await Server.Client.GetAsync("archives/many.zip", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var length = first.Content.Headers.ContentLength!.Value;
        var pieces = await Task.WhenAll(Enumerable.Range(0, 16).Select(async piece =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "archives/many.zip");
            // Short of the last byte: a request that reads the archive to its end ends the sharing (see below).
            var from = (length - 1) * piece / 16;
            var to = ((length - 1) * (piece + 1) / 16) - 1;
            request.Headers.Range = new RangeHeaderValue(from, to);
            request.Headers.IfRange = new RangeConditionHeaderValue(first.Headers.ETag!);
            using var response = await Server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            return (from, bytes: await response.Content.ReadAsByteArrayAsync());
        }));

        Assert.Equal(walksBefore + 1, members.Walks);
        var whole = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(length, whole.Length);
        foreach (var (from, bytes) in pieces)
        {
            Assert.Equal(whole.AsSpan((int)from, bytes.Length).ToArray(), bytes);
        }

        // The whole archive was read: a change is seen by the very next request, which walks again.
        File.Delete(Root.Combine("many", "d0", "f000.bin"));
        using var after = await Server.Client.GetAsync("archives/many.zip");
        Assert.Equal(walksBefore + 2, members.Walks);
        Assert.NotEqual(first.Headers.ETag, after.Headers.ETag);
        Assert.True(after.Content.Headers.ContentLength < length);
    }
}
