using System.Net;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// A failure nobody foresaw (a bug in a provider, say) is answered by the framework's exception handler with problem
/// details, logged once, and the download line records the 500 the client really got.
/// </summary>
public sealed class UnexpectedFailureTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("unexpected");
    private readonly CapturingLoggerProvider _logs = new();
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartWithServicesAsync(_root.Path,
            services => services.AddSingleton<IStorageProvider>(new BrokenProvider()),
            app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs),
            "--Logging:LogLevel:LargeFileGateway.AccessLog=Information");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Get_ProviderThrowsSomethingUnforeseen_Returns500ProblemDetailsLoggedOnce()
    {
        using var response = await _server.Client.GetAsync("files/anything.bin");
        var body = await response.Content.ReadAsStringAsync();
        var line = await _logs.WaitForAsync(e => e.EventId.Name == "DownloadFinished", TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(500, json.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain(BrokenProvider.Secret, body, StringComparison.Ordinal);
        Assert.Equal(500, line.Values["StatusCode"]);
        Assert.Single(_logs.Entries, e => e.Message.Contains(BrokenProvider.Secret, StringComparison.Ordinal) || e.EventId.Name == "UnhandledException");
    }

    private sealed class BrokenProvider : IStorageProvider
    {
        public const string Secret = "internal detail that must not reach a client";

        public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
            => throw new InvalidOperationException(Secret);

        public ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
            => throw new InvalidOperationException(Secret);
    }
}
