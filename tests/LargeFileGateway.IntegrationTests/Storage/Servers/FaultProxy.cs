using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>
/// A real TCP proxy between the gateway and a storage backend that misbehaves on demand: it cuts connections
/// (RST) after a number of response bytes, delays the first response bytes, or refuses connections outright.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private long _cutAfterBytes = long.MaxValue;
    private int _cutsLeft;
    private int _cutsDone;
    private TimeSpan _delay;
    private int _delaysLeft;
    private int _delaysStarted;
    private int _connectionsAccepted;
    private long _pauseAfterBytes = long.MaxValue;
    private int _pausesLeft;
    private TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FaultProxy(int targetPort, TcpListener listener)
    {
        _targetPort = targetPort;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Listen(listener);
    }

    public int Port { get; }

    /// <summary>Connections cut so far by <see cref="CutConnectionsAfter"/>.</summary>
    public int CutsDone => Volatile.Read(ref _cutsDone);

    public int ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Responses held back so far by <see cref="DelayFirstResponseBytes"/> (a signal that a stall is in effect).</summary>
    public int DelaysStarted => Volatile.Read(ref _delaysStarted);

    public static FaultProxy Start(int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new FaultProxy(targetPort, listener);
    }

    /// <summary>The next <paramref name="times"/> connections whose response passes <paramref name="bytes"/> bytes are reset right there.</summary>
    public void CutConnectionsAfter(long bytes, int times)
    {
        Volatile.Write(ref _cutAfterBytes, bytes);
        Volatile.Write(ref _cutsLeft, times);
    }

    /// <summary>The next <paramref name="times"/> connections get their first response bytes <paramref name="delay"/> late.</summary>
    public void DelayFirstResponseBytes(TimeSpan delay, int times)
    {
        _delay = delay;
        Volatile.Write(ref _delaysLeft, times);
    }

    /// <summary>
    /// The next connection whose response passes <paramref name="bytes"/> bytes stops forwarding right there until
    /// <see cref="Release"/>; <see cref="Paused"/> completes when it does.
    /// </summary>
    public void PauseAfter(long bytes)
    {
        _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pauseAfterBytes, bytes);
        Volatile.Write(ref _pausesLeft, 1);
    }

    public Task Paused => _paused.Task;

    public void Release() => _released.TrySetResult();

    /// <summary>Resets every connection open right now.</summary>
    public void CutActiveConnections()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Reset();
        }
    }

    /// <summary>The backend is down: the port refuses connections and open ones are reset.</summary>
    public void Refuse()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
        }

        CutActiveConnections();
    }

    /// <summary>The backend is back, on the same port.</summary>
    public void Accept()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Listen(listener);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Release();
        Refuse();
        _stop.Dispose();
    }

    private void Listen(TcpListener listener)
    {
        _listener = listener;
        _ = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _connectionsAccepted);
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        var connection = new Connection(client, server);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (Exception)
        {
            connection.Reset();
            return;
        }

        _connections[connection] = 0;
        try
        {
            var up = PumpAsync(client, server, connection, downstream: false);
            var down = PumpAsync(server, client, connection, downstream: true);
            await Task.WhenAny(up, down);
        }
        finally
        {
            connection.Close();
            _connections.TryRemove(connection, out _);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Connection connection, bool downstream)
    {
        var buffer = new byte[16 * 1024];
        long forwarded = 0;
        var limit = long.MaxValue;
        var first = true;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                if (downstream && first)
                {
                    first = false;
                    limit = Volatile.Read(ref _cutAfterBytes);
                    if (Interlocked.Decrement(ref _delaysLeft) >= 0)
                    {
                        Interlocked.Increment(ref _delaysStarted);
                        await Task.Delay(_delay, _stop.Token);
                    }
                }

                if (downstream && forwarded + read > Volatile.Read(ref _pauseAfterBytes) && forwarded <= _pauseAfterBytes && Interlocked.Decrement(ref _pausesLeft) >= 0)
                {
                    var before = (int)(_pauseAfterBytes - forwarded);
                    await to.SendAsync(buffer.AsMemory(0, before), SocketFlags.None, _stop.Token);
                    forwarded += before;
                    _paused.TrySetResult();
                    await _released.Task.WaitAsync(_stop.Token);
                    buffer.AsSpan(before, read - before).CopyTo(buffer);
                    read -= before;
                }

                if (downstream && forwarded + read > limit)
                {
                    if (Interlocked.Decrement(ref _cutsLeft) >= 0)
                    {
                        await to.SendAsync(buffer.AsMemory(0, (int)(limit - forwarded)), SocketFlags.None, _stop.Token);
                        Interlocked.Increment(ref _cutsDone);
                        connection.Reset();
                        return;
                    }

                    limit = long.MaxValue;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                forwarded += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side went away (or was cut on purpose): the connection ends.
        }
    }

    private sealed class Connection(Socket client, Socket server)
    {
        public void Reset()
        {
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    // Linger 0: close sends RST, as a crashed backend or a dropped link would.
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }

                socket.Dispose();
            }
        }

        public void Close()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
