using Microsoft.Extensions.Logging;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// At the shipped log levels (Default Information) a download from a remote provider writes no line per backend
/// request: IHttpClientFactory's request loggers would write four for every HEAD and GET. An operator who sets their
/// category gets them back.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class StorageHttpClientLoggingTests(StorageServersFixture servers)
{
    private const string ShippedLevel = "--Logging:LogLevel:Default=Information";
    private const string HttpClientCategory = "System.Net.Http.HttpClient";

    [Theory]
    [InlineData(BackendKind.S3)]
    [InlineData(BackendKind.HttpOrigin)]
    public async Task Download_AtTheShippedLevels_LogsNoLinePerBackendRequest(BackendKind kind)
    {
        var lines = await DownloadAndCaptureAsync(kind, ShippedLevel);

        Assert.DoesNotContain(lines, entry => entry.Category.StartsWith(HttpClientCategory, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(BackendKind.S3)]
    [InlineData(BackendKind.HttpOrigin)]
    public async Task Download_WithTheHttpClientCategorySetByTheOperator_LogsTheBackendRequests(BackendKind kind)
    {
        var lines = await DownloadAndCaptureAsync(kind, ShippedLevel, $"--Logging:LogLevel:{HttpClientCategory}=Information");

        // The HEAD of the lookup and the GET of the read, each by the logical and the client handler.
        var requests = lines.Where(entry => entry.Category.StartsWith(HttpClientCategory, StringComparison.Ordinal)).Select(entry => entry.Message).ToList();
        Assert.Contains(requests, message => message.Contains("HEAD", StringComparison.Ordinal));
        Assert.Contains(requests, message => message.Contains("GET", StringComparison.Ordinal));
    }

    private async Task<IReadOnlyCollection<CapturingLoggerProvider.Entry>> DownloadAndCaptureAsync(BackendKind kind, params string[] args)
    {
        await using var backend = await StorageBackend.CreateAsync(kind, servers);
        await backend.PutAsync("file.bin", "stored bytes"u8.ToArray());
        using var logs = new CapturingLoggerProvider();
        await using (var gateway = await backend.StartGatewayOnClockAsync(TimeProvider.System, null, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs), args))
        {
            Assert.Equal("stored bytes", await gateway.Client.GetStringAsync("files/file.bin"));
        }

        return logs.Entries;
    }
}
