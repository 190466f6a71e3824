using LargeFileGateway.Observability;

namespace LargeFileGateway.Limits;

/// <summary>
/// Kestrel cuts a connection read below its minimum response data rate without telling the application: the request
/// only looks aborted, like any client that left. Its one reliable trace is its own log event
/// (ResponseMinimumDataRateNotSatisfied, EventId 28 of a Kestrel category, at Debug), so this provider listens to
/// that event only (a filter rule of its own enables Debug for that category and this provider alone) and turns each
/// into a log line of the gateway and a counter.
/// </summary>
internal sealed class SlowClientCuts(IServiceProvider services) : ILoggerProvider
{
    public const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";

    private const int MinimumDataRateNotSatisfiedId = 28;
    private const string MinimumDataRateNotSatisfiedName = "ResponseMinimumDataRateNotSatisfied";

    // Resolved at the first cut: the logger factory owns this provider, so it cannot be a constructor argument.
    private (ILogger Logger, GatewayMetrics Metrics)? _report;
    private long _count;

    /// <summary>Connections cut since start.</summary>
    public long Count => Interlocked.Read(ref _count);

    public ILogger CreateLogger(string categoryName)
        => categoryName.StartsWith(KestrelCategory, StringComparison.Ordinal) ? new Listener(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private void Cut(string connectionId, string requestId)
    {
        Interlocked.Increment(ref _count);
        var report = _report ??= (services.GetRequiredService<ILoggerFactory>().CreateLogger<SlowClientCuts>(), services.GetRequiredService<GatewayMetrics>());
        report.Metrics.SlowClientCut();
        Log.SlowClientCut(report.Logger, connectionId, requestId);
    }

    private sealed class Listener(SlowClientCuts owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != MinimumDataRateNotSatisfiedId || eventId.Name != MinimumDataRateNotSatisfiedName)
            {
                return;
            }

            string? connectionId = null;
            string? requestId = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (name, value) in values)
                {
                    if (name == "ConnectionId")
                    {
                        connectionId = value?.ToString();
                    }
                    else if (name == "TraceIdentifier")
                    {
                        requestId = value?.ToString();
                    }
                }
            }

            owner.Cut(connectionId ?? "-", requestId ?? "-");
        }
    }
}
