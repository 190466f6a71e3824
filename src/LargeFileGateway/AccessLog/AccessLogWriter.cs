using System.Threading.Channels;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.AccessLog;

/// <summary>
/// Takes access-log entries from requests and writes them from one background task, so that no request formats,
/// writes or waits: <see cref="TryWrite"/> puts the entry into a bounded channel and returns; when the channel is
/// full (the disk or stdout cannot keep up), the entry is dropped and counted (<c>gateway.access_log.dropped</c>,
/// and a Warning with the running total).
/// </summary>
/// <remarks>
/// The writer stops after every other hosted service (<see cref="StoppedAsync"/>), the server included, so that the
/// lines of downloads that finish while the instance drains are written too.
/// </remarks>
internal sealed class AccessLogWriter : IHostedLifecycleService
{
    /// <summary>A batch is written out when it reaches this size or the channel is empty.</summary>
    private const int FlushThresholdBytes = 64 * 1024;

    private readonly AccessLogOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<AccessLogEntry>? _channel;
    private Task _writing = Task.CompletedTask;
    private long _dropped;
    private long _droppedReported;

    public AccessLogWriter(IOptions<AccessLogOptions> options, GatewayMetrics metrics, ILogger<AccessLogWriter> logger)
    {
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        if (_options.Enabled)
        {
            _channel = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(_options.QueueCapacity)
            {
                // Wait, for TryWrite: it then returns false on a full channel instead of waiting (DropWrite would
                // return true and drop silently, leaving nothing to count).
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
                SingleWriter = false,
            });
        }
    }

    public bool IsEnabled => _channel is not null;

    /// <summary>Lines dropped so far because the queue was full (or the writer had stopped).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="entry"/>; never blocks. False when it was dropped.</summary>
    public bool TryWrite(in AccessLogEntry entry)
    {
        if (_channel is null)
        {
            return false;
        }

        if (!_channel.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
            _metrics.AccessLogLineDropped();
            return false;
        }

        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_channel is not null)
        {
            _writing = Task.Run(() => WriteAllAsync(_channel.Reader), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_channel is null)
        {
            return;
        }

        _channel.Writer.TryComplete();
        await _writing.WaitAsync(cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WriteAllAsync(ChannelReader<AccessLogEntry> reader)
    {
        using var formatter = new AccessLogFormatter(_options.Format);
        await using var output = OpenOutput();
        var pending = 0;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var entry))
            {
                try
                {
                    var line = formatter.Format(entry);
                    output.Write(line);
                    pending += line.Length;
                    if (pending >= FlushThresholdBytes)
                    {
                        output.Flush();
                        pending = 0;
                    }
                }
                catch (IOException ex)
                {
                    // A full disk or a closed stdout: the line is lost, the writer goes on with the next.
                    Interlocked.Increment(ref _dropped);
                    Log.AccessLogWriteFailed(_logger, ex.Message);
                }
            }

            try
            {
                output.Flush();
            }
            catch (IOException ex)
            {
                Log.AccessLogWriteFailed(_logger, ex.Message);
            }

            pending = 0;
            ReportDrops();
        }
    }

    private void ReportDrops()
    {
        var dropped = Dropped;
        if (dropped != _droppedReported)
        {
            _droppedReported = dropped;
            Log.AccessLogLinesDropped(_logger, dropped, _options.QueueCapacity);
        }
    }

    private Stream OpenOutput() => string.IsNullOrEmpty(_options.Path)
        ? new BufferedStream(Console.OpenStandardOutput(), FlushThresholdBytes)
        : new AccessLogFile(_options.Path, _options.MaxFileBytes, _options.MaxFiles);
}
