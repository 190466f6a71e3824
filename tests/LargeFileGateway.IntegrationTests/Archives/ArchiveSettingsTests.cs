using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using LargeFileGateway.Archives;
using LargeFileGateway.Digests;
using LargeFileGateway.IntegrationTests.Digests;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>Issue 15: Gateway:Archives off by default, its caps answered with problem details, and archives beside digests.</summary>
public sealed class ArchiveSettingsTests : IDisposable
{
    private readonly TempFolder _root = new("archive-settings");
    private readonly TempFolder _store = new("archive-settings-store");

    public ArchiveSettingsTests()
    {
        TestFiles.WriteRandom(_root.Combine("box", "a.bin"), 100, seed: 1);
        TestFiles.WriteRandom(_root.Combine("box", "b.bin"), 200, seed: 2);
        TestFiles.WriteRandom(_root.Combine("box", "sub", "c.bin"), 2 << 20, seed: 3);
    }

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task ArchivesNotEnabled_404ProblemDetails()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path);

        using var response = await server.Client.GetAsync("archives/box.zip");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("--Gateway:Archives:MaxEntries=2", "Gateway:Archives:MaxEntries")]
    [InlineData("--Gateway:Archives:MaxBytes=1000", "Gateway:Archives:MaxBytes")]
    public async Task FolderOverACap_409ProblemDetailsNamingTheCap(string cap, string key)
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true", cap);

        using var get = await server.Client.GetAsync("archives/box.zip");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "archives/box.zip"));
        using var within = await server.Client.GetAsync("archives/box/sub.zip");

        Assert.Equal(HttpStatusCode.Conflict, get.StatusCode);
        Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await get.Content.ReadAsStringAsync());
        Assert.Equal(409, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(key, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, head.StatusCode);
        Assert.Equal(cap.Contains("MaxBytes", StringComparison.Ordinal) ? HttpStatusCode.Conflict : HttpStatusCode.OK, within.StatusCode);
    }

    [Fact]
    public async Task TableFolderNotWritable_GatewayDoesNotStartAndNamesTheKey()
    {
        var notAFolder = _store.Combine("a-file");
        await File.WriteAllTextAsync(notAFolder, "x");

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () => await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true", "--Gateway:Archives:TableFolder=" + notAFolder));

        Assert.Contains("Gateway:Archives:TableFolder", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableFolderGiven_ArchiveOfThousandsOfMembers_IsCompleteAndLeavesNoFileThere()
    {
        for (var i = 0; i < 3_000; i++)
        {
            TestFiles.WriteRandom(_root.Combine("many", $"f{i:D4}.txt"), 1 + (i % 50), seed: 10 + i);
        }

        var tables = _store.Combine("tables");
        Directory.CreateDirectory(tables);
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true", "--Gateway:Archives:TableFolder=" + tables);

        var archive = _store.Combine("many.zip");
        await File.WriteAllBytesAsync(archive, await server.Client.GetByteArrayAsync("archives/many.zip"));

        Assert.Equal(3_000, (await ZipTools.MembersAsync(archive)).Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tables));
    }

    [Theory]
    [InlineData("--Gateway:Archives:MaxEntries=0")]
    [InlineData("--Gateway:Archives:MaxBytes=0")]
    public async Task CapOutOfRange_GatewayDoesNotStartAndNamesTheKey(string cap)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () => await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true", cap));

        Assert.Contains(cap[2..cap.IndexOf('=', StringComparison.Ordinal)].Split(':')[^1], failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestsOn_ArchiveQueuesNoHashing_StoresCrc32OfItsLargeMembers_FilesStillGetTheirSha256()
    {
        using var logs = new CapturingLoggerProvider();
        await using var server = await GatewayServer.StartAsync(_root.Path, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs),
            DigestProbe.Args(_store.Path, "--Gateway:Archives:Enabled=true", "--Logging:LogLevel:LargeFileGateway.Digests=Debug"));

        using var archive = await server.Client.GetAsync("archives/box.zip");
        var body = await archive.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, archive.StatusCode);
        Assert.Null(DigestProbe.Field(archive, "Repr-Digest"));
        var store = server.Services.GetRequiredService<ContentFactsStore>();
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/box/sub/c.bin"));
        var version = new FileVersion("box/sub/c.bin", head.Headers.ETag!.ToString());
        var crc = store.Find(version)?.Get(MemberCrcs.FactName);
        Assert.NotNull(crc);
        Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(await File.ReadAllBytesAsync(_root.Combine("box", "sub", "c.bin"))), BinaryPrimitives.ReadUInt32BigEndian(crc));
        using var small = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/box/a.bin"));
        Assert.Null(store.Find(new FileVersion("box/a.bin", small.Headers.ETag!.ToString()))?.Get(MemberCrcs.FactName));
        var queued = logs.Entries.Where(e => e.EventId.Name == "DigestQueued").Select(e => e.Values["Key"] as string).ToList();
        Assert.Contains("box/a.bin", queued);
        Assert.DoesNotContain("box/", queued);

        // A version with only a crc32 still gets its digest, and keeps the crc32 beside it.
        var digest = await DigestProbe.WaitForReprDigestAsync(server.Client, "files/box/sub/c.bin", TimeSpan.FromSeconds(60));
        Assert.Equal(DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(_root.Combine("box", "sub", "c.bin"))), digest);
        Assert.Equal(crc, store.Find(version)?.Get(MemberCrcs.FactName));
        Assert.NotEmpty(body);
    }
}
