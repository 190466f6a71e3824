using System.Net;
using Microsoft.AspNetCore.Hosting;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// Regression tests for issue 10 (reliability 4): S3 errors that are not outages. Wrong credentials are the
/// gateway's misconfiguration (503 with problem details, one Error line naming the setting, no retry); a missing
/// key seen by a principal without s3:ListBucket (403 AccessDenied) is the client's 404. Run on s3rver and on RGW;
/// what s3rver cannot show (it checks the access key id but not the signature, and knows no policies) runs on RGW.
/// </summary>
public abstract class S3AccessErrorTests : IAsyncLifetime
{
    private const string MisconfigurationEvent = "S3RequestRefused";
    private const string RetryEvent = "StorageRetry";

    private readonly StorageServersFixture _servers;
    private readonly BackendKind _kind;
    private readonly CapturingLoggerProvider _logs = new();
    private StorageBackend _backend = null!;

    protected S3AccessErrorTests(StorageServersFixture servers, BackendKind kind)
    {
        _servers = servers;
        _kind = kind;
    }

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(_kind, _servers);
        await _backend.PutAsync("file.bin", "stored bytes"u8.ToArray());
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        _logs.Dispose();
    }

    [Fact]
    public async Task Get_UnknownAccessKeyId_Returns503ProblemNamingTheSettingWithoutRetry()
    {
        await using var gateway = await _backend.StartGatewayAsAsync("AKIDNOSUCHUSER000000", "whatever", CaptureLogs);

        using var response = await gateway.Client.GetAsync("files/file.bin");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertLoggedOnceWithoutRetry("InvalidAccessKeyId", "Gateway:Storage:S3:AccessKeyId");
    }

    [Fact]
    public async Task Get_RefusedCredentialsRepeatedly_NeverOpensTheCircuit()
    {
        await using var wrong = await _backend.StartGatewayAsAsync("AKIDNOSUCHUSER000000", "whatever", CaptureLogs,
            "--Gateway:Storage:Resilience:BreakerMinimumThroughput=2");
        for (var i = 0; i < 5; i++)
        {
            using var refused = await wrong.Client.GetAsync("files/file.bin");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

            // An open circuit would answer with its break as Retry-After; a refusal is not an outage to wait out.
            Assert.Null(refused.Headers.RetryAfter);
        }
    }

    protected StorageBackend Backend => _backend;

    protected CapturingLoggerProvider Logs => _logs;

    /// <summary>One Error line for the refusal, naming S3's code and the setting to fix, and no retry of it.</summary>
    protected void AssertLoggedOnceWithoutRetry(string errorCode, string setting)
    {
        var logged = Assert.Single(_logs.Entries, e => e.EventId.Name == MisconfigurationEvent);
        Assert.Equal(errorCode, logged.Values["ErrorCode"]);
        Assert.Contains(setting, logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Name == RetryEvent);
    }

    protected void CaptureLogs(WebApplication app) => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs);
}

[Collection(StorageServersGroup.Name)]
public sealed class S3rverAccessErrorTests(StorageServersFixture servers) : S3AccessErrorTests(servers, BackendKind.S3);

/// <summary>
/// On RGW also a second user whose bucket policy grants reads (s3:GetObject, and s3:GetObjectVersion, which reads
/// pinned to a version id need) but not s3:ListBucket, as many read-only roles are.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3OnRgwAccessErrorTests(StorageServersFixture servers) : S3AccessErrorTests(servers, BackendKind.S3OnRgw)
{
    [Fact]
    public async Task Get_WrongSecretKey_Returns503ProblemLoggedOnceNamingTheSettingWithoutRetry()
    {
        await using var gateway = await Backend.StartGatewayAsAsync(Backend.S3!.AccessKey, "not-the-secret-key", CaptureLogs);

        var answers = new List<(HttpStatusCode Status, string? ContentType)>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.GetAsync("files/file.bin");
            answers.Add((response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        }

        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.ServiceUnavailable, "application/problem+json"), answer));
        AssertLoggedOnceWithoutRetry("SignatureDoesNotMatch", "Gateway:Storage:S3:SecretAccessKey");
    }

    [Fact]
    public async Task Get_GatewayClockAnHourBehind_TakesS3sClockFromItsRefusalAndServes()
    {
        // The gateway signs with its own clock; S3 refuses a signature more than 15 minutes off (RequestTimeTooSkewed)
        // and dates its answer, from which the gateway takes S3's time for the next attempt, as the SDK does.
        await using var gateway = await Backend.StartGatewayOnClockAsync(new SkewedClock(TimeSpan.FromHours(-1)), null, CaptureLogs);

        using var first = await gateway.Client.GetAsync("files/file.bin");
        using var second = await gateway.Client.GetAsync("files/file.bin");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("stored bytes"u8.ToArray(), await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.DoesNotContain(Logs.Entries, e => e.EventId.Name == "S3RequestRefused");
    }

    [Fact]
    public async Task Get_S3AnswersTemporaryRedirect_FollowsItSignedForTheNewHost()
    {
        // S3 sends 307 to another endpoint (a new bucket while DNS catches up): RGW, which checks every signature,
        // serves the redirected request only if it was signed for its own host.
        await using var redirector = await Redirector.StartAsync(Backend.Port);
        await using var gateway = await Backend.StartGatewayAsync(redirector.Port);

        using var response = await gateway.Client.GetAsync("files/file.bin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("stored bytes"u8.ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.True(redirector.Redirected >= 2, $"{redirector.Redirected} requests were redirected (the HEAD and the GET at least)");
    }

    [Fact]
    public async Task Get_MissingKeyForReaderWithoutListBucket_Returns404AndNeverOpensTheCircuit()
    {
        var (accessKey, secretKey) = await ReaderWithoutListBucketAsync();
        await using var gateway = await Backend.StartGatewayAsAsync(accessKey, secretKey, CaptureLogs,
            "--Gateway:Storage:Resilience:BreakerMinimumThroughput=2", "--Gateway:Storage:Resilience:MetadataCacheTtl=00:00:00");

        var missing = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await gateway.Client.GetAsync($"files/no-such-{i}.bin");
            missing.Add(response.StatusCode);
        }

        using var existing = await gateway.Client.GetAsync("files/file.bin");

        Assert.All(missing, status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.Equal(HttpStatusCode.OK, existing.StatusCode);
        Assert.Equal("stored bytes"u8.ToArray(), await existing.Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain(Logs.Entries, e => e.EventId.Name == "S3RequestRefused");
    }

    [Fact]
    public async Task Get_ReaderWithoutListBucket_DirectS3AnswerIsAccessDeniedNot404()
    {
        // The premise of the test above, checked on the server itself: a missing key is a 403 to this principal.
        var (accessKey, secretKey) = await ReaderWithoutListBucketAsync();
        using var reader = S3Server.CreateClient($"http://127.0.0.1:{Backend.S3!.Port}", accessKey, secretKey);

        var ex = await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => reader.GetObjectAsync(Backend.Bucket, "pub/no-such.bin"));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal("AccessDenied", ex.ErrorCode);
    }

    /// <summary>Answers every request with 307 to the same path and query on 127.0.0.1:<c>targetPort</c>.</summary>
    private sealed class Redirector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _redirected;

        private Redirector(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }

        public int Redirected => Volatile.Read(ref _redirected);

        public static async Task<Redirector> StartAsync(int targetPort)
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            Redirector? redirector = null;
            app.Run(context =>
            {
                Interlocked.Increment(ref redirector!._redirected);
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = $"http://127.0.0.1:{targetPort}{context.Features.GetRequiredFeature<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>().RawTarget}";
                return Task.CompletedTask;
            });
            await app.StartAsync();
            redirector = new Redirector(app, new Uri(app.Urls.Single()).Port);
            return redirector;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    /// <summary>The system clock's time shifted by <paramref name="skew"/>; timers and timestamps stay the system's.</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }

    private async Task<(string AccessKey, string SecretKey)> ReaderWithoutListBucketAsync()
    {
        var rgw = (RgwProcess)Backend.S3!;
        var uid = "reader-" + Guid.NewGuid().ToString("N")[..8];
        var keys = await rgw.CreateUserAsync(uid);
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/{{uid}}"]},
            "Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":["arn:aws:s3:::{{Backend.Bucket}}/*"]}]}
            """;
        await rgw.Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = Backend.Bucket, Policy = policy });
        return keys;
    }
}
