"""Memory and CPU of a server's process tree, read from /proc."""
import os
import threading
import time

_TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid):
    """The pid and all its descendants (nginx: master and workers). A tuple of pids stands for a server of several
    processes (nginx in front of a gateway): every figure of this module is then the sum over all their trees."""
    pids, todo = [], list(pid) if isinstance(pid, tuple) else [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids


def _status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(pid):
    return sum(_status_kib(p, "VmRSS") for p in tree(pid)) / 1024


def threads(pid):
    """Threads of the tree: a .NET server under CPU starvation grows its thread pool, and every thread costs memory."""
    return sum(_status_kib(p, "Threads") for p in tree(pid))


def hwm_mib(pid):
    return sum(_status_kib(p, "VmHWM") for p in tree(pid)) / 1024


def reset_hwm(pid):
    """clear_refs 5 resets VmHWM to the current RSS (proc(5))."""
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass


def cpu_seconds(pid):
    """utime + stime of the tree (fields 14 and 15 of /proc/PID/stat)."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / _TICKS


def smaps_rollup_kib(pid):
    """The tree's /proc/PID/smaps_rollup fields in KiB (Rss, Anonymous, Pss_File, ...): anonymous memory is the heap
    and native allocations, file-backed memory the mapped code."""
    totals = {}
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and parts[2] == "kB":
                        totals[parts[0].rstrip(":")] = totals.get(parts[0].rstrip(":"), 0) + int(parts[1])
        except OSError:
            pass
    return totals


def mem_free_mib():
    """MemFree of /proc/meminfo: memory the kernel can hand out without reclaiming page cache first."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemFree:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sockstat():
    """The TCP line of /proc/net/sockstat: sockets in use, orphaned, in TIME-WAIT, allocated, and the kernel memory
    of every TCP socket's buffers (mem, in pages; mem_mib). Machine-wide: both ends of a loopback connection count."""
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                fields = line.split()[1:]
                values = {fields[i]: int(fields[i + 1]) for i in range(0, len(fields) - 1, 2)}
                values["mem_mib"] = values.get("mem", 0) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)
                return values
    return {}


class PeakRss:
    """Samples the tree's VmRSS every 50 ms while in use; .peak is the highest sum seen, in MiB (.peak_threads the
    most threads seen). With series_every, .series also keeps (seconds since start, MiB) about that often, for a
    picture of RSS over time. For a tuple of pids, .part_peaks also holds each one's own peak (in the same order),
    from the same samples."""

    def __init__(self, pid, interval=0.05, series_every=None):
        self._pid = pid
        self._interval = interval
        self._series_every = series_every
        self._stop = threading.Event()
        self.peak = 0.0
        self.peak_threads = 0
        self.series = []
        self._parts = pid if isinstance(pid, tuple) else (pid,)
        self.part_peaks = [0.0] * len(self._parts)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        started = time.monotonic()
        last_kept = None
        while True:
            rss = self._sample()
            self.peak = max(self.peak, rss)
            self.peak_threads = max(self.peak_threads, threads(self._pid))
            now = time.monotonic() - started
            if self._series_every is not None and (last_kept is None or now - last_kept >= self._series_every):
                self.series.append((round(now, 3), round(rss, 2)))
                last_kept = now
            if self._stop.wait(self._interval):
                return

    def _sample(self):
        parts = [rss_mib(p) for p in self._parts]
        self.part_peaks = [max(a, b) for a, b in zip(self.part_peaks, parts)]
        return sum(parts)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.peak = max(self.peak, self._sample())
