namespace LargeFileGateway.Storage;

/// <summary>
/// An optional ability of a provider: one cheap call that tells whether its backend answers at all, for the
/// readiness probe. Checked once at startup with <c>storage is IStorageProbe</c>.
/// </summary>
internal interface IStorageProbe
{
    /// <summary>
    /// Asks the backend once, without retries (the caller bounds it with a timeout). Returns null when the backend
    /// answers, or a short reason (never a credential, never a key) when it does not. Does not throw for an outage.
    /// </summary>
    ValueTask<string?> ProbeAsync(CancellationToken cancellationToken);
}
