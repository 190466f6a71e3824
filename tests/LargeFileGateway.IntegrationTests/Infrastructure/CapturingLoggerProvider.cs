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
    private readonly Lock _waitersLock = new();
    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Found)> _waiters = [];

    public IReadOnlyCollection<Entry> Entries => _entries;

    /// <summary>The first entry, logged already or still to come, that <paramref name="match"/> accepts: a signal, not a poll.</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            if (_entries.FirstOrDefault(match) is { } logged)
            {
                return logged;
            }

            _waiters.Add((match, found));
        }

        return await found.Task.WaitAsync(timeout);
    }

    private void Add(Entry entry)
    {
        lock (_waitersLock)
        {
            _entries.Enqueue(entry);
            _waiters.RemoveAll(waiter => waiter.Match(entry) && waiter.Found.TrySetResult(entry));
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record Entry(EventId EventId, string Message, IReadOnlyDictionary<string, object?> Values, string Category = "");

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : [];
            provider.Add(new Entry(eventId, formatter(state, exception), values, category));
        }
    }
}
