using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A logging provider that keeps every message with its structured values, added to a running gateway's
/// <see cref="ILoggerFactory"/> so a test can read what the gateway logged.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    public sealed record Entry(EventId EventId, string Message, IReadOnlyDictionary<string, object?> Values);

    private sealed class Logger(CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : [];
            provider._entries.Enqueue(new Entry(eventId, formatter(state, exception), values));
        }
    }
}
