namespace LargeFileGateway.Hosting;

/// <summary>
/// The requests this instance is answering (downloads and event streams), so that a drain can tell how many are
/// left, which finished while it waited and which it had to cut. Entered and left by a middleware at the start of
/// the pipeline; a context is aborted only while it is still registered, that is before Kestrel reuses it.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly Lock _lock = new();
    private readonly HashSet<HttpContext> _running = [];
    private readonly List<string> _finishedWhileDraining = [];
    private bool _draining;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>The requests that ended by themselves since <see cref="BeginDrain"/>, by path.</summary>
    public IReadOnlyList<string> FinishedWhileDraining
    {
        get
        {
            lock (_lock)
            {
                return [.. _finishedWhileDraining];
            }
        }
    }

    public void Enter(HttpContext context)
    {
        lock (_lock)
        {
            _running.Add(context);
        }
    }

    public void Leave(HttpContext context)
    {
        lock (_lock)
        {
            if (_running.Remove(context) && _draining)
            {
                _finishedWhileDraining.Add(Describe(context));
            }
        }
    }

    /// <summary>From now on, requests that end are remembered for the drain's summary.</summary>
    public void BeginDrain()
    {
        lock (_lock)
        {
            _draining = true;
        }
    }

    /// <summary>Aborts every request still running (its connection or HTTP/2 stream is reset); returns their paths.</summary>
    public IReadOnlyList<string> AbortAll()
    {
        lock (_lock)
        {
            var cut = new List<string>(_running.Count);
            foreach (var context in _running)
            {
                cut.Add(Describe(context));
                context.Abort();
            }

            _running.Clear();
            return cut;
        }
    }

    // The path names the file (/files/{key}) or the stream (/events); the query may hold a token, so it is left out.
    private static string Describe(HttpContext context) => context.Request.Path.Value ?? "/";
}
