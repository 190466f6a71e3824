namespace LargeFileGateway.Hosting;

/// <summary>
/// Whether this instance is draining (shutting down gracefully): readiness turns unhealthy at once so that load
/// balancers move new requests away, while running downloads go on.
/// </summary>
internal sealed class DrainState : IDisposable
{
    private readonly CancellationTokenSource _draining = new();

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Cancelled when draining begins.</summary>
    public CancellationToken Draining => _draining.Token;

    public void Begin() => _draining.Cancel();

    public void Dispose() => _draining.Dispose();
}
