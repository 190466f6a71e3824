using System.Collections.Concurrent;
using System.Threading.Channels;

namespace LargeFileGateway.Digests;

/// <summary>
/// File versions waiting for the worker: bounded, each version at most once at a time. A request only ever tries
/// to add (never waits); the warm-up waits for room.
/// </summary>
internal sealed class DigestQueue
{
    private readonly Channel<FileVersion> _channel;
    private readonly ConcurrentDictionary<FileVersion, byte> _pending = new();

    public DigestQueue(int capacity)
    {
        _channel = Channel.CreateBounded<FileVersion>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = false,
        });
    }

    public ChannelReader<FileVersion> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="version"/> unless it is queued or being hashed already; false when the queue is full.</summary>
    public bool TryRequest(FileVersion version)
    {
        if (!_pending.TryAdd(version, 0))
        {
            return true;
        }

        if (_channel.Writer.TryWrite(version))
        {
            return true;
        }

        _pending.TryRemove(version, out _);
        return false;
    }

    /// <summary>Queues <paramref name="version"/>, waiting for room (the warm-up of the whole root).</summary>
    public async ValueTask RequestAsync(FileVersion version, CancellationToken cancellationToken)
    {
        if (_pending.TryAdd(version, 0))
        {
            try
            {
                await _channel.Writer.WriteAsync(version, cancellationToken);
            }
            catch
            {
                _pending.TryRemove(version, out _);
                throw;
            }
        }
    }

    /// <summary>The worker is done with <paramref name="version"/> (known, failed or gone): a later request may queue it again.</summary>
    public void Done(FileVersion version) => _pending.TryRemove(version, out _);
}
