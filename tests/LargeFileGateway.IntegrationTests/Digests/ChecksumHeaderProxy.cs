using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>
/// A real HTTP proxy in front of s3rver that adds what S3 answers a HEAD with <c>x-amz-checksum-mode: ENABLED</c> for
/// an object uploaded with a checksum (<c>x-amz-checksum-sha256</c>, <c>x-amz-checksum-type</c>): s3rver 3.7 and the
/// RGW the tests run predate flexible checksums, so this is how a test gets a real SDK to read them. Everything
/// else passes through unchanged (the Host header too, so SigV4 signatures still match).
/// </summary>
public sealed class ChecksumHeaderProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentDictionary<string, (string Checksum, string? Type)> _checksums = new(StringComparer.Ordinal);

    private ChecksumHeaderProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    public int Port { get; private set; }

    /// <summary>HEADs asking for checksums (counted: a test can tell the gateway asked).</summary>
    public int ChecksumLookups => Volatile.Read(ref _lookups);

    private int _lookups;

    public static async Task<ChecksumHeaderProxy> StartAsync(int targetPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{targetPort}"),
            Timeout = TimeSpan.FromMinutes(2),
        };
        var proxy = new ChecksumHeaderProxy(app, upstream);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.Port = new Uri(address).Port;
        return proxy;
    }

    /// <summary>From now on, a checksum HEAD of <paramref name="path"/> (as S3 sees it: /bucket/key) carries these.</summary>
    public void Answer(string path, string checksum, string? checksumType) => _checksums[path] = (checksum, checksumType);

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.ToUriComponent() + request.QueryString.ToUriComponent());
        if (request.ContentLength > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (name is not ("Transfer-Encoding" or "Connection" or "Keep-Alive"))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        if (HttpMethods.IsHead(request.Method) && request.Headers["x-amz-checksum-mode"] == "ENABLED")
        {
            Interlocked.Increment(ref _lookups);
            if (_checksums.TryGetValue(request.Path.Value ?? string.Empty, out var checksum))
            {
                response.Headers["x-amz-checksum-sha256"] = checksum.Checksum;
                if (checksum.Type is not null)
                {
                    response.Headers["x-amz-checksum-type"] = checksum.Type;
                }
            }
        }

        if (!HttpMethods.IsHead(request.Method))
        {
            await answer.Content.CopyToAsync(response.Body, context.RequestAborted);
        }
    }
}
