using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Progress;

/// <summary>A quiet event stream gets a heartbeat comment each HeartbeatInterval, on a clock the test moves.</summary>
public sealed class HeartbeatTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private readonly TempFolder _root = new("heartbeat");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartWithServicesAsync(_root.Path,
            services => services.AddSingleton<TimeProvider>(_time),
            beforeStart: null,
            "--Gateway:Events:Access=Open");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Events_QuietForAHeartbeatInterval_SendsHeartbeatComment()
    {
        using var events = await SseReader.OpenAsync(_server.Client);
        await events.NextAsync();
        await events.NextAsync();
        var next = events.NextAsync();

        // The stream waits on the gateway's clock: move it one interval at a time until the wait it is in has passed
        // (the first move may come before the stream starts waiting). Bounded in moves and in real time.
        var moves = 0;
        var arrived = await Eventually.TrueAsync(() =>
        {
            if (!next.IsCompleted && moves < 100)
            {
                moves++;
                _time.Advance(Interval);
            }

            return next.IsCompleted;
        }, TimeSpan.FromSeconds(30));
        var quiet = await next;

        Assert.True(arrived);
        Assert.Equal("heartbeat", quiet.Comment);
        Assert.Null(quiet.Type);
    }
}
