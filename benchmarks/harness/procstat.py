"""Memory and CPU of a server's process tree, read from /proc."""
import os
import threading

_TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid):
    """The pid and all its descendants (nginx: master and workers)."""
    pids, todo = [], [pid]
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


class PeakRss:
    """Samples the tree's VmRSS every 50 ms while in use; .peak is the highest sum seen, in MiB (.peak_threads the
    most threads seen)."""

    def __init__(self, pid, interval=0.05):
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0.0
        self.peak_threads = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            self.peak = max(self.peak, rss_mib(self._pid))
            self.peak_threads = max(self.peak_threads, threads(self._pid))
            if self._stop.wait(self._interval):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.peak = max(self.peak, rss_mib(self._pid))
