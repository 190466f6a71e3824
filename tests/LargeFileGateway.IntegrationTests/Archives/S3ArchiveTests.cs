using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// Archives of an S3 folder (issue 15: "entry list paged from storage for S3"), on s3rver and on a versioned bucket of
/// Ceph RGW, whose listing names no validator a download uses (the members are then looked up one by one): the zip
/// passes unzip, 7z and Python, every member is its object's bytes, and a range is the same bytes as in the full zip.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3ArchiveTests(StorageServersFixture servers) : IDisposable
{
    private readonly TempFolder _out = new("archives-s3");

    [Theory]
    [InlineData(BackendKind.S3)]
    [InlineData(BackendKind.S3OnRgw)]
    public async Task Archive_OfAnS3Folder_IsAValidZipOfItsObjectsAndItsRangesAreTheFullZipsBytes(BackendKind kind)
    {
        await using var backend = await StorageBackend.CreateAsync(kind, servers);
        var objects = new Dictionary<string, byte[]>
        {
            ["set/a.bin"] = RandomNumberGenerator.GetBytes(300_000),
            ["set/b.txt"] = "hello"u8.ToArray(),
            ["set/deep/c.bin"] = RandomNumberGenerator.GetBytes(70_000),
            ["set/季度.txt"] = RandomNumberGenerator.GetBytes(1_000),
        };
        foreach (var (key, bytes) in objects)
        {
            await backend.PutAsync(key, bytes);
        }

        await backend.PutAsync("set/.hidden", [1]);
        await using var gateway = await backend.StartGatewayAsync(null, "--Gateway:Archives:Enabled=true");

        var full = await gateway.Client.GetByteArrayAsync("archives/set.zip");
        var path = _out.Combine("set.zip");
        await File.WriteAllBytesAsync(path, full);
        await ZipTools.AssertAllAcceptAsync(path);
        var members = await ZipTools.MembersAsync(path);

        Assert.Equal(objects.Keys.Select(key => key["set/".Length..]).Order(StringComparer.Ordinal), members.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, bytes) in objects)
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), members[key["set/".Length..]].Sha256);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "archives/set.zip");
        request.Headers.Range = new RangeHeaderValue(1000, full.Length - 10);
        using var partial = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(full.AsSpan(1000, full.Length - 1009).ToArray(), await partial.Content.ReadAsByteArrayAsync());
    }

    public void Dispose() => _out.Dispose();
}
