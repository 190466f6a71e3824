using System.Collections.Concurrent;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Keeps the descriptors of recently served local files open, so that a random range of a file served a moment ago
/// costs a revalidation (a statx of the path and a readlink of the descriptor; <see cref="CachedOpenFile"/>) instead of open, statx,
/// fcntl, fadvise, readlink of /proc/self/fd and close. nginx's open_file_cache is the model, with one difference: nginx trusts an entry for
/// open_file_cache_valid seconds, this cache trusts none: every request proves its entry current first
/// (<see cref="CachedOpenFile.IsStillNamedByItsPath"/>), and an entry that fails the proof is dropped and the key
/// opened and checked afresh, so a replaced, deleted, rewritten or re-linked file is never served from a stale
/// descriptor.
/// </summary>
/// <remarks>
/// Bounded: at most <c>maxFiles</c> descriptors, each in one slot. When every slot is taken, a new file takes the slot
/// of the least recently used entry that no request holds, among <see cref="EvictionCandidates"/> slots picked at
/// random (Redis's approximated LRU: a few reads per miss, no list to keep in order on every hit); when all of those
/// are held, the file is served as before, opened for its request alone. An entry unused for the idle timeout is
/// closed by a sweep, so a deleted file's space is given back within about two idle timeouts even if its key is never
/// asked for again.
/// </remarks>
internal sealed class OpenFileCache : IDisposable
{
    /// <summary>Slots looked at to choose an entry to evict; a cache this small or smaller is looked at whole.</summary>
    internal const int EvictionCandidates = 8;

    private readonly ConcurrentDictionary<string, CachedOpenFile> _files = new(StringComparer.Ordinal);
    private readonly CachedOpenFile?[] _slots;
    private readonly ConcurrentQueue<int> _freeSlots;
    private readonly long _idleTicks;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private int _count;

    public OpenFileCache(int maxFiles, TimeSpan idleTimeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        _slots = new CachedOpenFile?[maxFiles];
        _freeSlots = new ConcurrentQueue<int>(Enumerable.Range(0, maxFiles));
        _time = time;
        _idleTicks = (long)(idleTimeout.TotalSeconds * time.TimestampFrequency);
        _sweep = time.CreateTimer(static state => ((OpenFileCache)state!).CloseIdle(), this, idleTimeout, idleTimeout);
    }

    /// <summary>Descriptors held now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The cached file of <paramref name="key"/> with a reference taken for the caller (who calls
    /// <see cref="CachedOpenFile.Release"/>), when its path still leads to it unchanged; null otherwise, and an entry
    /// that no longer holds is dropped.
    /// </summary>
    public CachedOpenFile? TryTake(string key)
    {
        // A second look only for an entry dropped between the look-up and the reference (it is out of the
        // dictionary by then, so the second look finds a newer entry or none); beyond that the key is opened afresh.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (!_files.TryGetValue(key, out var file))
            {
                return null;
            }

            if (!file.TryAddReference(_time.GetTimestamp()))
            {
                continue;
            }

            if (file.IsStillNamedByItsPath())
            {
                return file;
            }

            file.Release();
            Forget(file);
            return null;
        }

        return null;
    }

    /// <summary>
    /// Adds a freshly opened and checked file and takes a reference on it for the caller; false when every slot is held
    /// by a request or another request cached the key first (the caller then owns its descriptor alone).
    /// </summary>
    public bool TryAdd(CachedOpenFile file)
    {
        if (!_freeSlots.TryDequeue(out var slot) && !(EvictLeastRecentlyUsed() && _freeSlots.TryDequeue(out slot)))
        {
            return false;
        }

        // The slot first: an entry that Forget can find in the dictionary is always in its slot.
        file.Slot = slot;
        Volatile.Write(ref _slots[slot], file);
        var referenced = file.TryAddReference(_time.GetTimestamp());
        if (referenced && _files.TryAdd(file.Key, file))
        {
            Interlocked.Increment(ref _count);
            return true;
        }

        if (referenced)
        {
            file.Release();
        }

        Interlocked.CompareExchange(ref _slots[slot], null, file);
        _freeSlots.Enqueue(slot);
        return false;
    }

    /// <summary>Drops <paramref name="file"/> (if it is still the entry of its key) and gives up the cache's reference.</summary>
    public void Forget(CachedOpenFile file)
    {
        if (_files.TryRemove(new KeyValuePair<string, CachedOpenFile>(file.Key, file)))
        {
            Interlocked.Decrement(ref _count);
            file.Retire();
            Interlocked.CompareExchange(ref _slots[file.Slot], null, file);
            _freeSlots.Enqueue(file.Slot);
        }
    }

    /// <summary>Closes every cached descriptor (requests still reading keep theirs until they end).</summary>
    public void Clear()
    {
        foreach (var file in _files.Values)
        {
            Forget(file);
        }
    }

    public void Dispose()
    {
        _sweep.Dispose();
        Clear();
    }

    /// <summary>Forgets the least recently used unheld entry among the candidates; false when there was none.</summary>
    private bool EvictLeastRecentlyUsed()
    {
        var whole = _slots.Length <= EvictionCandidates;
        CachedOpenFile? oldest = null;
        for (var i = 0; i < (whole ? _slots.Length : EvictionCandidates); i++)
        {
            var file = Volatile.Read(ref _slots[whole ? i : Random.Shared.Next(_slots.Length)]);
            if (file is { IsHeld: false } && (oldest is null || file.LastUsed < oldest.LastUsed))
            {
                oldest = file;
            }
        }

        if (oldest is null)
        {
            return false;
        }

        // A request may take it between the look and the forget: it keeps its reference and reads on, as after
        // any other forget.
        Forget(oldest);
        return true;
    }

    private void CloseIdle()
    {
        var now = _time.GetTimestamp();
        foreach (var file in _files.Values)
        {
            if (now - file.LastUsed >= _idleTicks)
            {
                Forget(file);
            }
        }
    }
}
