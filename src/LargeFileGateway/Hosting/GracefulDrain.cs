using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Hosting;

/// <summary>
/// The drain on SIGTERM (the console lifetime turns it into a host stop): readiness turns unhealthy at once, new
/// connections are accepted for <see cref="ShutdownOptions.AcceptDelay"/> more, then the host stops the server,
/// which refuses new connections and waits for the running requests; those still running after
/// <see cref="ShutdownOptions.DrainTimeout"/> are aborted so that their clients resume elsewhere. The process then
/// exits 0: a drain is the normal way to stop.
/// </summary>
internal sealed class GracefulDrain : IHostedLifecycleService, IDisposable
{
    // The summary names this many requests of each kind at most; the counts are always complete.
    private const int MaxListedPaths = 20;

    private readonly DrainState _drain;
    private readonly InFlightRequests _requests;
    private readonly ShutdownOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _drained = new();
    private Task<IReadOnlyList<string>> _cut = Task.FromResult<IReadOnlyList<string>>([]);

    public GracefulDrain(DrainState drain, InFlightRequests requests, IOptions<ShutdownOptions> options, TimeProvider time, ILogger<GracefulDrain> logger)
    {
        _drain = drain;
        _requests = requests;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before any hosted service stops, so the server still accepts during the delay.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _drain.Begin();
        _requests.BeginDrain();
        Log.DrainStarted(_logger, _options.AcceptDelay, _requests.Count);
        try
        {
            await Task.Delay(_options.AcceptDelay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's own timeout (or a second stop) ran out first: go on stopping at once.
        }

        // The server stops listening as soon as this returns; from here the drain timeout runs.
        Log.DrainStoppedAccepting(_logger, _options.DrainTimeout, _requests.Count);
        _cut = CutAfterTimeoutAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once the server has stopped: every request ended or was cut.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _drained.CancelAsync();
        var cut = await _cut;
        var finished = _requests.FinishedWhileDraining;
        // Once per shutdown: the lists are built whether or not the line is written.
        var finishedPaths = List(finished);
        var cutPaths = List(cut);
        Log.DrainFinished(_logger, finished.Count, finishedPaths, cut.Count, cutPaths);
    }

    public void Dispose() => _drained.Dispose();

    private async Task<IReadOnlyList<string>> CutAfterTimeoutAsync()
    {
        try
        {
            await Task.Delay(_options.DrainTimeout, _time, _drained.Token);
        }
        catch (OperationCanceledException)
        {
            return [];
        }

        var cut = _requests.AbortAll();
        foreach (var path in cut)
        {
            Log.DrainCutRequest(_logger, path, _options.DrainTimeout);
        }

        return cut;
    }

    private static string List(IReadOnlyList<string> paths)
        => paths.Count <= MaxListedPaths ? string.Join(", ", paths) : string.Join(", ", paths.Take(MaxListedPaths)) + $", and {paths.Count - MaxListedPaths} more";
}
