using System.Net.Sockets;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// A response written slowly reaches the client through nginx as it is written, not when it ends: the proof that
/// the download and event locations do not buffer. The endpoint is the test's own, mapped next to the gateway's,
/// and sends no X-Accel-Buffering header, so what is tested is the nginx config alone.
/// </summary>
public sealed class StreamingThroughNginxTests : IAsyncLifetime
{
    private const string FirstLine = "first line\n";
    private const string SecondLine = "second line\n";

    private readonly TempFolder _root = new("nginx-stream");
    private readonly TaskCompletionSource _firstWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GatewaysBehindNginx _stack = null!;

    public async Task InitializeAsync()
        => _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: false, app =>
        {
            app.MapGet("/files/_slow-test", WriteSlowlyAsync);
            app.MapGet("/events/_slow-test", WriteSlowlyAsync);
        });

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _stack.DisposeAsync();
        _root.Dispose();
    }

    [Theory]
    [InlineData("/files/_slow-test")]
    [InlineData("/events/_slow-test")]
    public async Task SlowResponse_ThroughNginx_ReachesClientBeforeTheResponseEnds(string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _stack.Nginx.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        var received = new StringBuilder();
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = ReadToEndAsync(stream, received, firstArrived);

        await _firstWritten.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The gateway holds the rest of the response until the first line has reached the client: a proxy that
        // buffers would hold that line until the response ends, so it would never arrive (a signal with a bound, not
        // a timing assert).
        var arrivedWhileHeld = await firstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        var stillOpen = !reading.IsCompleted;
        _release.TrySetResult();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(arrivedWhileHeld, "the first line, written and flushed by the gateway, did not reach the client while the gateway held the rest");
        Assert.True(stillOpen, "the response ended before the gateway was allowed to finish it");
        var text = received.ToString();
        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf(FirstLine, StringComparison.Ordinal) < text.IndexOf(SecondLine, StringComparison.Ordinal));
    }

    private async Task WriteSlowlyAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(FirstLine, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        _firstWritten.TrySetResult();

        // The rest waits for the test: a proxy that buffers until the end would hold the first line until then.
        await _release.Task.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted);
        await context.Response.WriteAsync(SecondLine, context.RequestAborted);
    }

    private static async Task ReadToEndAsync(NetworkStream stream, StringBuilder received, TaskCompletionSource firstArrived)
    {
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            if (received.ToString().Contains(FirstLine, StringComparison.Ordinal))
            {
                firstArrived.TrySetResult();
            }
        }
    }
}
