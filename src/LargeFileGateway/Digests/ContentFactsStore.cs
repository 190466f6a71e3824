using System.Collections.Concurrent;
using LargeFileGateway.Observability;

namespace LargeFileGateway.Digests;

/// <summary>
/// Content facts per file version, in memory for the request path and on local disk for restarts: one small file per
/// version (<see cref="ContentFactsFile"/>), written to a temporary file in the same folder, flushed to the device and
/// renamed over its name, so a crash leaves either the old entry, the new one or none, never half of one.
/// </summary>
/// <remarks>
/// Why files and not SQLite: the gateway's only queries are "the facts of this version" (in memory) and "drop the
/// versions of this key", a rename is atomic on every local file system, it needs no package and holds under
/// Native AOT, and an operator can read, back up or delete an entry with ordinary tools. What it gives up is a
/// durable rename (the folder is not fsynced; a crash right after a rename may forget the entry: it is recomputed).
/// Bounded by <c>MaxEntries</c>: past it the oldest entries are dropped. An entry that fails its check when loaded
/// is deleted and logged, never served; its version is simply hashed again when asked for.
/// </remarks>
internal sealed class ContentFactsStore
{
    private const string TemporaryExtension = ".tmp";

    private readonly ConcurrentDictionary<FileVersion, Entry> _entries = new();
    private readonly string _folder;
    private readonly int _maxEntries;
    private readonly ILogger _logger;
    private readonly Lock _evicting = new();
    private long _sequence;

    public ContentFactsStore(string folder, int maxEntries, ILogger logger)
    {
        _folder = folder;
        _maxEntries = maxEntries;
        _logger = logger;
    }

    public string Folder => _folder;

    public int Count => _entries.Count;

    /// <summary>The facts of exactly <paramref name="version"/>, or null. A dictionary lookup: the request path calls it.</summary>
    public ContentFacts? Find(FileVersion version) => _entries.TryGetValue(version, out var entry) ? entry.Facts : null;

    /// <summary>
    /// Reads every entry of the folder into memory (oldest first, so the newest survive the bound), deleting what
    /// does not parse, what is filed under a name that is not its own, and temporary files a crash left.
    /// </summary>
    public void Load()
    {
        try
        {
            Directory.CreateDirectory(_folder);
            using (File.Create(Path.Combine(_folder, "probe" + TemporaryExtension), 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Like any bad setting, an unusable store stops start-up with the key to fix, not with every entry's failure later.
            throw new InvalidOperationException($"Gateway:Digests:Store: the folder '{_folder}' cannot be created or written ({ex.GetType().Name}).", ex);
        }

        var dropped = 0;
        foreach (var leftover in Directory.EnumerateFiles(_folder, "*" + TemporaryExtension))
        {
            TryDelete(leftover);
        }

        var files = new DirectoryInfo(_folder).EnumerateFiles("*" + ContentFactsFile.Extension)
            .OrderBy(static file => file.LastWriteTimeUtc)
            .ToList();
        foreach (var file in files)
        {
            string text;
            try
            {
                text = file.Length > 64 * 1024 ? string.Empty : File.ReadAllText(file.FullName);
            }
            catch (IOException ex)
            {
                Log.DigestStoreEntryUnreadable(_logger, file.Name, ex.Message);
                continue;
            }

            if (!ContentFactsFile.TryParse(text, out var version, out var facts) || ContentFactsFile.NameOf(version) != file.Name)
            {
                Log.DigestStoreEntryCorrupt(_logger, file.Name);
                TryDelete(file.FullName);
                dropped++;
                continue;
            }

            _entries[version] = new Entry(facts, file.Name, Interlocked.Increment(ref _sequence));
        }

        EvictOverflow();
        Log.DigestStoreLoaded(_logger, _folder, _entries.Count, dropped);
    }

    /// <summary>Stores the facts of <paramref name="version"/>, on disk first, then for requests.</summary>
    public void Put(FileVersion version, ContentFacts facts)
    {
        var name = ContentFactsFile.NameOf(version);
        var path = Path.Combine(_folder, name);
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + TemporaryExtension;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(ContentFactsFile.Format(version, facts)));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Still served from memory for the life of the process; only a restart loses it.
            Log.DigestStoreWriteFailed(_logger, name, ex.Message);
            TryDelete(temporary);
        }

        _entries[version] = new Entry(facts, name, Interlocked.Increment(ref _sequence));
        EvictOverflow();
    }

    /// <summary>Drops every version of <paramref name="key"/> except <paramref name="current"/> (null: all of them).</summary>
    public int DropOtherVersions(string key, string? current)
    {
        var dropped = 0;
        foreach (var (version, entry) in _entries)
        {
            if (string.Equals(version.Key, key, StringComparison.Ordinal) && !string.Equals(version.Validator, current, StringComparison.Ordinal)
                && _entries.TryRemove(version, out _))
            {
                TryDelete(Path.Combine(_folder, entry.FileName));
                dropped++;
            }
        }

        return dropped;
    }

    private void EvictOverflow()
    {
        if (_entries.Count <= _maxEntries)
        {
            return;
        }

        lock (_evicting)
        {
            // A sixteenth at a time, so that a full store sorts once per many insertions, not on every one.
            var excess = _entries.Count - _maxEntries;
            if (excess <= 0)
            {
                return;
            }

            var batch = Math.Max(excess, _maxEntries / 16);
            foreach (var (version, entry) in _entries.OrderBy(static pair => pair.Value.Sequence).Take(batch).ToList())
            {
                if (_entries.TryRemove(version, out _))
                {
                    TryDelete(Path.Combine(_folder, entry.FileName));
                }
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's load, which deletes it or reads it again.
        }
    }

    private sealed record Entry(ContentFacts Facts, string FileName, long Sequence);
}
