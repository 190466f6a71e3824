using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Digests;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// Issue 15: the archives that need ZIP64, a 4.5 GiB member (sparse: zeros with seeded random islands, so the run
/// costs little disk) and more than 65,535 members, accepted by unzip, 7z and Python with every member intact.
/// </summary>
/// <remarks>
/// They run alone (<see cref="HeavyArchivesGroup"/>): 4.5 GiB through unzip, 7z and Python and 65,600 files keep both
/// cores busy for minutes, and beside them the rate tests measured a client starved of the CPU, not the gateway.
/// </remarks>
[Collection(HeavyArchivesGroup.Name)]
public sealed class ArchiveLargeTests : IDisposable
{
    private const long BigLength = (9L << 30) / 2;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);
    private readonly TempFolder _root = new("archive-large");
    private readonly TempFolder _downloads = new("archive-large-out");

    public void Dispose()
    {
        _root.Dispose();
        _downloads.Dispose();
    }

    [Fact]
    public async Task SparseMemberOf4Point5GiB_Zip64ArchiveAcceptedByUnzip7zAndPython_MemberMatchesSha256sumOfTheSource()
    {
        var big = _root.Combine("huge", "disk.img");
        Directory.CreateDirectory(Path.GetDirectoryName(big)!);
        TestFiles.WriteSparse(big, BigLength, [(0, 4096), ((4L << 30) - 100, 4096), (BigLength - 5000, 5000)], seed: 45);
        TestFiles.WriteRandom(_root.Combine("huge", "a-before.txt"), 1000, seed: 1);
        TestFiles.WriteRandom(_root.Combine("huge", "z-after.txt"), 1000, seed: 2);
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");
        var url = new Uri(server.BaseAddress, "archives/huge.zip").AbsoluteUri;
        var archive = _downloads.Combine("huge.zip");

        await ZipTools.DownloadAsync(url, archive);

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "archives/huge.zip"));
        Assert.Equal(new FileInfo(archive).Length, head.Content.Headers.ContentLength);
        Assert.True(new FileInfo(archive).Length > BigLength);
        await ZipTools.AssertAllAcceptAsync(archive);
        var extracted = await ExternalTool.RunAsync("bash", ["-c", "set -o pipefail; unzip -p \"$1\" disk.img | sha256sum | cut -d' ' -f1", "-", archive], Bound);
        Assert.True(extracted.ExitCode == 0, extracted.Output);
        Assert.Equal(await DigestProbe.Sha256SumAsync(big), extracted.Output.Trim());
        var info = await ExternalTool.RunAsync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [print(i.filename, i.file_size, i.header_offset) for i in z.infolist()]", archive], Bound);
        var lines = info.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a-before.txt", "disk.img", "z-after.txt"], lines.Select(l => l.Split(' ')[0]));
        Assert.True(long.Parse(lines[2].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture) > uint.MaxValue, info.Output);
        var after = await ExternalTool.RunAsync("bash", ["-c", "set -o pipefail; unzip -p \"$1\" z-after.txt | sha256sum | cut -d' ' -f1", "-", archive], Bound);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("huge", "z-after.txt")), after.Output.Trim());

        // Ranges around 4 GiB, the member's end and the central directory, from a fresh gateway that must read the
        // 4.5 GiB member once for its CRC (the tail) or read it from the start to finish the CRC (inside it).
        await using var fresh = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");
        var length = new FileInfo(archive).Length;
        foreach (var (first, last) in new[] { (length - 400, length - 1), ((4L << 30) - 50, (4L << 30) + 5000), (BigLength - 2000, BigLength + 3000) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "archives/huge.zip");
            request.Headers.Range = new RangeHeaderValue(first, last);
            using var response = await fresh.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(await TestFiles.Sha256Async(archive, first, last - first + 1), (await TestFiles.Sha256Async(await response.Content.ReadAsStreamAsync())).Sha256);
        }
    }

    [Fact]
    public async Task MoreThan65535SmallMembers_Zip64EndAcceptedByUnzip7zAndPython_EveryMemberMatchesItsSource()
    {
        const int Folders = 41;
        const int PerFolder = 1600;
        var random = new Random(65_536);
        var buffer = new byte[64];
        for (var f = 0; f < Folders; f++)
        {
            var folder = _root.Combine("many", $"folder-{f:D2}");
            Directory.CreateDirectory(folder);
            for (var i = 0; i < PerFolder; i++)
            {
                random.NextBytes(buffer);
                await File.WriteAllBytesAsync(Path.Combine(folder, $"file-{i:D4}.bin"), buffer.AsMemory(0, random.Next(buffer.Length + 1)));
            }
        }

        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");
        var archive = _downloads.Combine("many.zip");

        await ZipTools.DownloadAsync(new Uri(server.BaseAddress, "archives/many.zip").AbsoluteUri, archive);

        await ZipTools.AssertAllAcceptAsync(archive);
        var members = await ZipTools.MembersAsync(archive);
        Assert.Equal(Folders * PerFolder, members.Count);
        Assert.True(members.Count > 65_535);
        Assert.Equal((await ZipTools.SourcesAsync(_root.Combine("many"))).OrderBy(s => s.Key, StringComparer.Ordinal), members.OrderBy(m => m.Key, StringComparer.Ordinal));
        var unzip = await ExternalTool.RunAsync("unzip", ["-l", archive], Bound);
        Assert.Contains($"{Folders * PerFolder} files", unzip.Output, StringComparison.Ordinal);
    }
}

/// <summary>Tests that load the whole machine for minutes: run when no other test class runs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyArchivesGroup
{
    public const string Name = "Heavy archives";
}
