using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;
using Microsoft.Extensions.Configuration;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// Each sample in config/ binds and validates as it is, and serves a file once pointed at a real backend: a user
/// switches provider by configuration alone.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class SampleConfigTests(StorageServersFixture servers)
{
    private static readonly byte[] Bytes = "served through a sample configuration"u8.ToArray();

    [Fact]
    public async Task SampleConfig_Local_ServesTheRootFolder()
    {
        using var root = new TempFolder("sample-local");
        await File.WriteAllBytesAsync(root.Combine("file.txt"), Bytes);

        await AssertServesAsync("appsettings.Local.json", root.Path, $"--Gateway:Storage:Root={root.Path}");
    }

    [Fact]
    public async Task SampleConfig_S3_ServesTheBucketUnderItsPrefix()
    {
        var bucket = "t" + Guid.NewGuid().ToString("N")[..12];
        await servers.S3.CreateBucketAsync(bucket);
        await servers.S3.PutAsync(bucket, "public/file.txt", Bytes);

        await AssertServesAsync("appsettings.S3.json", null,
            $"--Gateway:Storage:S3:ServiceUrl=http://127.0.0.1:{servers.S3.Port}",
            $"--Gateway:Storage:S3:Bucket={bucket}",
            $"--Gateway:Storage:S3:AccessKeyId={S3rverProcess.AccessKeyId}",
            $"--Gateway:Storage:S3:SecretAccessKey={S3rverProcess.SecretAccessKey}");
    }

    [Fact]
    public async Task SampleConfig_HttpOrigin_ServesTheOriginFolder()
    {
        var folder = "t" + Guid.NewGuid().ToString("N")[..12];
        servers.Origin.Put($"{folder}/file.txt", Bytes);

        await AssertServesAsync("appsettings.HttpOrigin.json", null, $"--Gateway:Storage:HttpOrigin:BaseUrl=http://127.0.0.1:{servers.Origin.Port}/{folder}/");
    }

    private static async Task AssertServesAsync(string sample, string? root, params string[] overrides)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(FindSample(sample)).Build();
        var sampleArgs = configuration.AsEnumerable(makePathsRelative: false)
            .Where(pair => pair.Value is not null && pair.Key.StartsWith("Gateway:", StringComparison.Ordinal))
            .Select(pair => $"--{pair.Key}={pair.Value}");
        using var unused = new TempFolder("sample-root");

        await using var gateway = await GatewayServer.StartAsync(root ?? unused.Path, [.. sampleArgs, .. overrides]);
        using var response = await gateway.Client.GetAsync("files/file.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Bytes, await response.Content.ReadAsByteArrayAsync());
    }

    private static string FindSample(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "config", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"config/{name} not found above {AppContext.BaseDirectory}.");
    }
}
