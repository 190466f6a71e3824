"""Process-level benchmark of the gateway against ASP.NET Core static files, Results.File and nginx (sendfile).

Run through run.sh, which publishes the Release builds first. Servers are measured in turn (A B C D A B C D ...)
and every measurement is repeated; the report gives medians and the gateway's ratio to each baseline.
"""
import argparse
import datetime
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

import datafiles
import pictures
import procstat
import servers

MIB = datafiles.MIB
GIB = datafiles.GIB

_WRK_LUA = """-- 64 KiB ranges at random offsets of one file: the download-manager and video-seek pattern.
local size = {size}
local len = 65536
local path = "{path}"
setup = function(thread) thread:set("seed", {seed} + {seed_step} * (#threads_seen + 1)); table.insert(threads_seen, thread) end
threads_seen = {{}}
init = function(args) math.randomseed(seed) end
request = function()
  local first = math.floor(math.random() * (size - len))
  return wrk.format("GET", path, {{ ["Range"] = string.format("bytes=%.0f-%.0f", first, first + len - 1) }})
end
"""


def log(message):
    print(message, flush=True)


def _parts_before(server):
    """CPU seconds of each part of a two-process server (nginx in front of a gateway) before a measurement."""
    return {part: procstat.cpu_seconds(pid) for part, pid in getattr(server, "parts", {}).items()}


def _part_figures(server, cpu_before, peak, cpu_scale, cpu_key):
    """Each part's CPU (divided by cpu_scale: GiB or requests) and peak VmRSS, keyed like nginx_cpu_s_per_gib."""
    figures = {}
    for (part, pid), part_peak in zip(getattr(server, "parts", {}).items(), peak.part_peaks):
        figures[f"{part}_{cpu_key}"] = (procstat.cpu_seconds(pid) - cpu_before[part]) / cpu_scale
        figures[f"{part}_peak_rss_mib"] = part_peak
    return figures


def single_stream(server, name, size, max_seconds):
    """curl -o /dev/null: throughput, server CPU per GiB, peak VmRSS (50 ms samples) and VmHWM after a reset. For
    nginx in front of a gateway: the sum of both, and each part's CPU and peak RSS beside it."""
    pid = server.pid
    procstat.reset_hwm(pid)
    parts_before = _parts_before(server)
    cpu_before = procstat.cpu_seconds(pid)
    with procstat.PeakRss(pid, series_every=0.1) as peak:
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", str(max_seconds),
                              "-w", "%{http_code} %{size_download} %{time_total}", server.url(name)],
                             capture_output=True, text=True, timeout=max_seconds + 10)
    cpu = procstat.cpu_seconds(pid) - cpu_before
    code, downloaded, seconds = out.stdout.split()
    if code != "200" or int(downloaded) != size:
        raise RuntimeError(f"{server.name}: curl got {code} with {downloaded} of {size} bytes")
    return {"gib_s": size / GIB / float(seconds), "cpu_s_per_gib": cpu / (size / GIB),
            "peak_rss_mib": peak.peak, "hwm_mib": procstat.hwm_mib(pid), "load1": os.getloadavg()[0], "rss_series": peak.series,
            **_part_figures(server, parts_before, peak, size / GIB, "cpu_s_per_gib")}


def _latency_ms(text):
    # wrk prints latencies as 812.00us, 1.75ms, 2.01s, 1.02m or 1.00h. The p99 is read from the "Latency
    # Distribution" line that starts with "99%": a bare "99%" also ends "+/- Stdev" columns such as "70.99%".
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if match is None:
        raise ValueError(f"wrk printed a latency this harness cannot read: {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


def random_ranges(server, name, size, work, seconds, connections):
    script = os.path.join(work, f"ranges-{server.name}.lua")
    with open(script, "w") as f:
        f.write(_WRK_LUA.format(size=size, path=server.path(name), seed=7919, seed_step=104729))
    parts_before = _parts_before(server)
    cpu_before = procstat.cpu_seconds(server.pid)
    with procstat.PeakRss(server.pid) as peak:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
                              "-s", script, f"http://127.0.0.1:{server.port}"],
                             capture_output=True, text=True, timeout=seconds + 30)
    text = out.stdout
    if re.search(r"Requests/sec:", text) is None or re.search(r"^\s+99%\s+(\S+)", text, re.M) is None:
        raise RuntimeError(f"wrk against {server.name} printed no result (exit {out.returncode}):\n{text}\n{out.stderr}")
    cpu = procstat.cpu_seconds(server.pid) - cpu_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    p99 = _latency_ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    if bad or errors:
        log(f"    {server.name}: wrk reported {bad.group(0) if bad else ''} {errors.group(0) if errors else ''}")
    # CPU per request is the cost of the checks that a busy shared machine hides least: req/s is bounded by how
    # much of the 2 cores the server gets, its CPU time per request is not (much).
    return {"rps": rps, "p99_ms": p99, "cpu_us_per_req": 1e6 * cpu / max(1, requests), "peak_rss_mib": peak.peak, "peak_threads": peak.peak_threads, "load1": os.getloadavg()[0],
            **_part_figures(server, parts_before, peak, max(1, requests) / 1e6, "cpu_us_per_req")}


def slow_readers(server, name, clients, rate, seconds, processes=4):
    """Runs the readers in several client processes, so that one Python event loop falling behind on a busy
    machine is not mistaken for a server that cannot keep its clients at rate."""
    script = os.path.join(os.path.dirname(__file__), "slowreaders.py")
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    cpu_before = procstat.cpu_seconds(server.pid)
    with procstat.PeakRss(server.pid) as peak:
        runs = [subprocess.Popen([sys.executable, script, "--port", str(server.port), "--path", server.path(name),
                                  "--clients", str(n), "--rate", str(rate), "--seconds", str(seconds)],
                                 stdout=subprocess.PIPE, text=True) for n in shares if n > 0]
        outputs = [json.loads(run.communicate(timeout=seconds + 60)[0]) for run in runs]
    cpu = procstat.cpu_seconds(server.pid) - cpu_before
    return {"clients": sum(o["clients"] for o in outputs),
            # What the server spent keeping them at rate, and how late the client loops woke (a client process that
            # falls behind is not a server that cannot keep up).
            "server_cpu_s": cpu,
            "client_lag_p99_ms": max(o.get("loop_lag_p99_ms", 0) for o in outputs),
            "served_at_rate": sum(o["served_at_rate"] for o in outputs),
            "ok_status": sum(o["ok_status"] for o in outputs),
            "mean_kib_per_s": sum(o["mean_kib_per_s"] * o["clients"] for o in outputs) / max(1, sum(o["clients"] for o in outputs)),
            "peak_rss_mib": peak.peak}


def scrape_metrics(server):
    """The memory figures a gateway with /metrics on exposes (Prometheus text), in bytes: the GC's committed memory and
    heap size at its last collection (System.Runtime), the working set, and Kestrel's block pool (the
    Microsoft.AspNetCore.MemoryPool meter: bytes held = allocated - evicted, of which `pooled` are free). Empty
    for a server without them."""
    if not getattr(server, "metrics", False):
        return {}
    try:
        samples = servers.prometheus_samples(server.port, [
            "dotnet_gc_last_collection_memory_committed_size", "dotnet_gc_last_collection_heap_size",
            "dotnet_gc_last_collection_heap_fragmentation_size", "dotnet_gc_heap_total_allocated",
            "dotnet_process_memory_working_set", "aspnetcore_memory_pool_(?:allocated|evicted|pooled|rented)"])
    except OSError as error:
        log(f"    {server.name}: /metrics did not answer ({error})")
        return {}
    values = {}
    for name, _, value in samples:
        # Per generation (heap size) or per pool owner: summed.
        values[name] = values.get(name, 0.0) + value
    pool_held = values.get("aspnetcore_memory_pool_allocated", 0.0) - values.get("aspnetcore_memory_pool_evicted", 0.0)
    return {"gc_committed": values.get("dotnet_gc_last_collection_memory_committed_size", float("nan")),
            "gc_heap": values.get("dotnet_gc_last_collection_heap_size", float("nan")),
            "gc_fragmentation": values.get("dotnet_gc_last_collection_heap_fragmentation_size", float("nan")),
            "gc_allocated_total": values.get("dotnet_gc_heap_total_allocated", float("nan")),
            "pool_held": pool_held, "pool_free": values.get("aspnetcore_memory_pool_pooled", 0.0),
            "pool_in_use": pool_held - values.get("aspnetcore_memory_pool_pooled", 0.0)}


def _quiet_rss(pid, seconds=2.0):
    """The median of a few RSS samples of a server that serves nothing: its idle footprint."""
    samples = []
    for _ in range(max(1, int(seconds / 0.25))):
        samples.append(procstat.rss_mib(pid))
        time.sleep(0.25)
    return statistics.median(samples)


def slow_scale(server, name, clients, rate, seconds, ramp, per_process=1250):
    """Issue 16, target 3: `clients` concurrent slow readers at `rate` (a download each, `seconds` from its own
    connect), opened evenly over `ramp` seconds, spread over client processes of at most `per_process` downloads
    (slowreaders.py --paced: one selector loop each, so one Python process is not what falls behind). The server is
    a fresh process (the harness starts it so) that has answered one request; its idle RSS is measured before the
    readers come and its memory again in the middle of the plateau, when every download is open. Reports the
    share served within 10 % of the rate, peak VmRSS, RSS per connection above idle and, for a gateway with
    /metrics, where it goes: the GC's committed memory (Kestrel's block pool, pinned, is part of it) and the rest
    (native: the runtime, thread stacks, sockets' user-space state). The kernel's socket buffers
    (/proc/net/sockstat, machine-wide, both ends of each loopback connection) are reported beside, not in RSS."""
    script = os.path.join(os.path.dirname(__file__), "slowreaders.py")
    # A socket per download, and a file per download too unless the server shares descriptors (the gateways' cache).
    cache_off = (getattr(server, "env", None) or {}).get("Gateway__Storage__Local__OpenFileCacheMaxFiles") == "0"
    files_each = 0 if getattr(server, "kind", "") == "gateway" and not cache_off else 1
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if clients * (1 + files_each) + 1000 > limit:
        raise SkipMeasurement(f"{clients} downloads need {clients * (1 + files_each) + 1000} open files, the limit is {limit}")
    processes = max(2, -(-clients // per_process))
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    idle_rss = _quiet_rss(server.pid)
    idle_rollup = procstat.smaps_rollup_kib(server.pid)
    idle_metrics = scrape_metrics(server)
    idle_sockets = procstat.sockstat()
    cpu_before = procstat.cpu_seconds(server.pid)
    procstat.reset_hwm(server.pid)
    plateau = {}
    with procstat.PeakRss(server.pid, series_every=0.5) as peak:
        started = time.monotonic()
        runs = [subprocess.Popen([sys.executable, script, "--paced", "--port", str(server.port), "--path", server.path(name),
                                  "--clients", str(n), "--rate", str(rate), "--seconds", str(seconds), "--ramp", str(ramp), "--rates"],
                                 stdout=subprocess.PIPE, text=True) for n in shares]
        try:
            # The middle of the plateau: every download has opened (the ramp) and none has ended.
            time.sleep(max(0.0, started + ramp + (seconds - ramp) / 2 - time.monotonic()))
            plateau = {"rss_mib": procstat.rss_mib(server.pid), "rollup": procstat.smaps_rollup_kib(server.pid),
                       "metrics": scrape_metrics(server), "sockets": procstat.sockstat(), "threads": procstat.threads(server.pid)}
            outputs = [json.loads(run.communicate(timeout=ramp + seconds + 60)[0]) for run in runs]
        finally:
            for run in runs:
                if run.poll() is None:
                    run.kill()
                    run.wait(5)
    cpu = procstat.cpu_seconds(server.pid) - cpu_before
    rates = sorted(r for o in outputs for r in o["rates"])
    within = sum(1 for r in rates if abs(r - rate) <= 0.1 * rate)
    above_idle = plateau["rss_mib"] - idle_rss
    result = {"clients": len(rates), "ok_status": sum(o["ok_status"] for o in outputs), "within_10pct": within,
              "median_kib_s": statistics.median(rates) / 1024 if rates else 0.0, "p1_kib_s": _percentile(rates, 1) / 1024,
              "idle_rss_mib": idle_rss, "plateau_rss_mib": plateau["rss_mib"], "peak_rss_mib": peak.peak,
              "hwm_mib": procstat.hwm_mib(server.pid), "peak_threads": peak.peak_threads,
              "kib_per_conn": 1024 * (peak.peak - idle_rss) / clients,
              "plateau_kib_per_conn": 1024 * above_idle / clients,
              "anon_kib_per_conn": (plateau["rollup"].get("Anonymous", 0) - idle_rollup.get("Anonymous", 0)) / clients,
              "socket_mem_mib": plateau["sockets"].get("mem_mib", 0.0) - idle_sockets.get("mem_mib", 0.0),
              "tcp_inuse": plateau["sockets"].get("inuse", 0),
              "cpu_s": cpu, "client_cpu_s": sum(o["client_cpu_s"] for o in outputs),
              "client_lag_p99_ms": max(o["loop_lag_p99_ms"] for o in outputs),
              "client_lag_max_ms": max(o["loop_lag_max_ms"] for o in outputs),
              "client_short_reads": sum(o.get("short_reads", 0) for o in outputs),
              "client_processes": processes, "load1": os.getloadavg()[0], "rss_series": peak.series}
    before, during = idle_metrics, plateau["metrics"]
    if before and during:
        # KiB per connection, plateau minus idle: the GC's committed memory (Kestrel's pool blocks included: they are
        # pinned arrays), the part of it that is pool blocks in use, and RSS outside the GC (native and code).
        managed = (during["gc_committed"] - before["gc_committed"]) / 1024 / clients
        result.update({"managed_kib_per_conn": managed,
                       "heap_kib_per_conn": (during["gc_heap"] - before["gc_heap"]) / 1024 / clients,
                       "pool_kib_per_conn": (during["pool_held"] - before["pool_held"]) / 1024 / clients,
                       "pool_in_use_kib_per_conn": (during["pool_in_use"] - before["pool_in_use"]) / 1024 / clients,
                       "native_kib_per_conn": 1024 * above_idle / clients - managed,
                       "gc_committed_mib": during["gc_committed"] / MIB, "pool_held_mib": during["pool_held"] / MIB})
    return result


class SkipMeasurement(Exception):
    """A measurement this server cannot take on this machine (the reason is printed; the tables leave it out)."""


def _percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, int(round(p / 100 * (len(sorted_values) - 1)))))]


def throttled(server, name, clients, rate, seconds, processes=4):
    """The fair-use benchmark of issue 12: `clients` concurrent downloads of one file for `seconds`. On a gateway
    that throttles (server.throttles) each download is read as fast as the client can, so the gateway's token
    bucket sets the rate; on any other server the same downloads are read at `rate` by the client (slow readers).
    Per download the served rate leaves out the first second after the headers. Reports how many were within
    10 % of `rate`, the median, p1 and p99 of the per-download rates, the server's peak VmRSS and CPU seconds, and
    what the client processes cost (their CPU seconds and worst event-loop lag: a client that falls behind shows
    up there, not as a slow server)."""
    script = os.path.join(os.path.dirname(__file__), "slowreaders.py")
    client_rate = 0 if getattr(server, "throttles", False) else rate
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    cpu_before = procstat.cpu_seconds(server.pid)
    procstat.reset_hwm(server.pid)
    with procstat.PeakRss(server.pid) as peak:
        runs = [subprocess.Popen([sys.executable, script, "--port", str(server.port), "--path", server.path(name),
                                  "--clients", str(n), "--rate", str(client_rate), "--seconds", str(seconds), "--rates"],
                                 stdout=subprocess.PIPE, text=True) for n in shares if n > 0]
        outputs = [json.loads(run.communicate(timeout=seconds + 60)[0]) for run in runs]
    cpu = procstat.cpu_seconds(server.pid) - cpu_before
    rates = sorted(r for o in outputs for r in o["rates"])
    within = sum(1 for r in rates if abs(r - rate) <= 0.1 * rate)
    return {"side": "throttled" if client_rate == 0 else "slow readers",
            "clients": len(rates), "ok_status": sum(o["ok_status"] for o in outputs), "within_10pct": within,
            "median_kib_s": statistics.median(rates) / 1024 if rates else 0.0,
            "p1_kib_s": _percentile(rates, 1) / 1024, "p99_kib_s": _percentile(rates, 99) / 1024,
            "min_kib_s": rates[0] / 1024 if rates else 0.0, "max_kib_s": rates[-1] / 1024 if rates else 0.0,
            "peak_rss_mib": peak.peak, "hwm_mib": procstat.hwm_mib(server.pid), "peak_threads": peak.peak_threads, "cpu_s": cpu,
            "client_cpu_s": sum(o["client_cpu_s"] for o in outputs),
            "client_lag_p99_ms": max(o["loop_lag_p99_ms"] for o in outputs),
            "client_lag_max_ms": max(o["loop_lag_max_ms"] for o in outputs),
            # The machine is shared: the 1-minute load average at the end says how much else was running.
            "load1": os.getloadavg()[0]}


def aria2_folder(requested, work, size):
    """Where aria2c writes: the folder asked for, else tmpfs (/dev/shm) when it has room for the file and 2 GiB to
    spare, so that the figure is the servers' and aria2's rather than the disk's (writing 4 GiB to the disk made the
    servers' order decide the result), else the work folder."""
    if requested:
        return requested
    try:
        shm = os.statvfs("/dev/shm")
        if shm.f_bavail * shm.f_frsize >= size + 2 * GIB:
            return os.path.join("/dev/shm", f"lfg-aria2-{os.getpid()}")
    except OSError:
        pass
    return os.path.join(work, "aria2")


def _aria2_log(path):
    """What aria2c's info log says about the exchange: connections opened, requests sent and the answers' statuses
    (a 429 or 503 would show a per-client limit, a retry aria2 made)."""
    connections = requests = 0
    statuses = {}
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        if "Connecting to" in line:
            connections += 1
        elif line.endswith("- Requesting:"):
            requests += 1
        elif line.endswith("- Response received:") and i + 1 < len(lines):
            status = lines[i + 1].split()[1] if len(lines[i + 1].split()) > 1 else "?"
            statuses[status] = statuses.get(status, 0) + 1
    return {"connections": connections, "requests": requests, "statuses": statuses}


def aria2(server, name, size, folder, max_seconds):
    """aria2c -x16 -s16 -k1M: wall time, the server's CPU and aria2c's own (on 2 cores the client needs one of them),
    and from its log the connections, requests and statuses."""
    os.makedirs(folder, exist_ok=True)
    out_file = os.path.join(folder, f"{server.name}.bin")
    log_file = os.path.join(folder, f"{server.name}.log")
    cpu_before = procstat.cpu_seconds(server.pid)
    mem_free_mib = procstat.mem_free_mib()
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    try:
        subprocess.run(["aria2c", "-q", "-x16", "-s16", "-k1M", "--file-allocation=none", "--allow-overwrite=true",
                        "--auto-file-renaming=false", f"--stop={max_seconds}", f"--log={log_file}", "--log-level=info",
                        "-d", folder, "-o", f"{server.name}.bin", server.url(name)], check=True, timeout=max_seconds + 30)
        seconds = time.monotonic() - started
        client = resource.getrusage(resource.RUSAGE_CHILDREN)
        got = os.path.getsize(out_file)
        exchange = _aria2_log(log_file)
    finally:
        # tmpfs is memory: nothing of a 4 GiB download may stay there, whatever happened.
        for leftover in (out_file, out_file + ".aria2", log_file):
            if os.path.exists(leftover):
                os.remove(leftover)
    if got != size:
        raise RuntimeError(f"{server.name}: aria2c wrote {got} of {size} bytes")
    return {"seconds": seconds, "gib_s": size / GIB / seconds, "cpu_s": procstat.cpu_seconds(server.pid) - cpu_before,
            "aria2_cpu_s": client.ru_utime + client.ru_stime - client_before.ru_utime - client_before.ru_stime,
            # The kernel's share of aria2c's time: writing into tmpfs allocates 4 GiB of pages, and when free memory
            # is short the kernel reclaims page cache for them in aria2c's own time.
            "aria2_sys_s": client.ru_stime - client_before.ru_stime, "mem_free_mib": mem_free_mib,
            "load1": os.getloadavg()[0], "written_to": folder, **exchange}


def machine():
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), {mem_kib / 1024 / 1024:.1f} GiB memory, {os.uname().release}"


def commit():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def median(results, key):
    values = [r[key] for r in results]
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--publish", required=True)
    parser.add_argument("--quick", action="store_true", help="small files and short runs: a smoke test of the harness")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--servers", default="gateway,gateway-jit,static,results,nginx")
    parser.add_argument("--only", default="stream,ranges,aria2,slow",
                        help="which measurements to run: stream,ranges,aria2,slow,throttled,slowscale (throttled and slowscale are not in the default set)")
    parser.add_argument("--throttle-clients", type=int, default=1000, help="throttled: concurrent downloads")
    parser.add_argument("--throttle-rate", type=int, default=100 * 1024, help="throttled: bytes per second per download")
    parser.add_argument("--throttle-seconds", type=float, default=30, help="throttled: seconds each download runs")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="ranges: seconds of each wrk run (shorter runs, more repeats: finer interleaving)")
    parser.add_argument("--rotate", action="store_true",
                        help="start each repeat with the next server (A B C, B C A, C A B): no server is always first or always after the same one")
    parser.add_argument("--fresh", action="store_true",
                        help="a new process of each server before each measurement, so that every repeat's peak RSS is that of a "
                             "fresh process rather than one grown by the repeats before (no warm-up then)")
    parser.add_argument("--throttle-processes", type=int, default=4, help="throttled: client processes the downloads are spread over")
    parser.add_argument("--slow-readers-seconds", type=float, default=20, help="slow: seconds the 500 readers at 200 KiB/s read")
    parser.add_argument("--slow-counts", default="1000,2500,5000,10000", help="slowscale: the numbers of concurrent slow readers, one measurement each")
    parser.add_argument("--slow-rate", type=int, default=20 * 1024, help="slowscale: bytes per second per reader")
    parser.add_argument("--slow-seconds", type=float, default=60, help="slowscale: seconds each download runs (from its connect)")
    parser.add_argument("--slow-ramp", type=float, default=None,
                        help="slowscale: seconds over which the connections open (default: 1 s per 1,000, at least 1, at most a third of --slow-seconds)")
    parser.add_argument("--pictures-to", default=None,
                        help="also copy the PNG pictures of the run (written next to last-run.md) into this folder, e.g. benchmarks/pictures")
    parser.add_argument("--command", default=None, help="the command shown in the report (default: run.sh and the options given)")
    parser.add_argument("--sizes", default="", help="file sizes in MiB for the curl runs, e.g. 64,8192")
    parser.add_argument("--aria2-dir", default=None,
                        help="aria2: the folder aria2c writes into (default: tmpfs, /dev/shm, when it has room, else the work folder)")
    parser.add_argument("--front-variant", action="append", default=[],
                        help="another nginx in front of a gateway, NAME:proxy|offload:DIRECTIVES, the directives (nginx syntax, "
                             "e.g. 'keepalive 8;') replacing the upstream block's 'keepalive 32; keepalive_timeout 60s;' "
                             "(empty: no keep-alive to the gateway); list NAME in --servers")
    parser.add_argument("--variant", action="append", default=[],
                        help="an extra gateway with settings, NAME[@PUBLISHED_FOLDER]:KEY=VALUE,KEY=VALUE (environment variables); "
                             "list NAME in --servers. PUBLISHED_FOLDER is a folder under the publish folder (an older build)")
    args = parser.parse_args()
    if args.command is None:
        given, skip = [], False
        for a in sys.argv[1:]:
            if skip or a in ("--work", "--publish") or a.startswith(("--work=", "--publish=")) or a == "--quick":
                skip = a in ("--work", "--publish")
                continue
            given.append(a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a + "'")
        args.command = " ".join(["benchmarks/harness/run.sh"] + given)

    quick = args.quick
    sizes = [8 * MIB, 64 * MIB] if quick else [64 * MIB, 1 * GIB, 4 * GIB, 8 * GIB]
    if args.sizes:
        sizes = [int(v) * MIB for v in args.sizes.split(",")]
    range_size = sizes[-1] if quick else 4 * GIB
    names_extra = {} if quick else {range_size: None}
    wrk_seconds = 2 if quick else args.wrk_seconds
    slow_clients, slow_seconds = (50, 3) if quick else (500, args.slow_readers_seconds)
    repeats = 1 if quick else args.repeats
    only = set(args.only.split(","))
    throttle_clients, throttle_seconds = (100, 5) if quick else (args.throttle_clients, args.throttle_seconds)
    slow_counts = [100, 200] if quick else [int(v) for v in args.slow_counts.split(",") if v]
    slow_scale_seconds = 4 if quick else args.slow_seconds
    most_clients = max([throttle_clients if "throttled" in only else 0] + (slow_counts if "slowscale" in only else [0]))
    raise_limits(most_clients)
    data = os.path.join(args.work, "data")
    logs = os.path.join(args.work, "logs")
    os.makedirs(logs, exist_ok=True)

    log("Files:")
    names = {size: datafiles.ensure(data, size) for size in sorted(set(sizes) | set(names_extra))}
    for name in names.values():
        datafiles.warm(data, name)

    known = {
        "gateway": lambda: servers.gateway(args.publish, data, logs),
        # The same gateway as a framework-dependent (JIT) build, `dotnet publish -p:PublishAot=false`.
        "gateway-jit": lambda: servers.gateway(args.publish, data, logs, "gateway-jit", folder="gateway-jit"),
        "static": lambda: servers.aspnet_baseline("static", args.publish, data, logs, "/static/"),
        "results": lambda: servers.aspnet_baseline("results", args.publish, data, logs, "/results/"),
        # With slowscale, room for its largest count in each worker (not otherwise: nginx touches its whole table).
        "nginx": lambda: servers.nginx(args.work, data, logs, max(4096, max(slow_counts) + 100) if "slowscale" in only else 4096),
        # Not a file server: 64 KiB from memory on bare Kestrel, the ceiling for the random-ranges measurement.
        "floor": lambda: servers.aspnet_baseline("floor", args.publish, data, logs, "/floor/"),
        # Not a file server either: one pread per request from a file kept open, a bare 206 (ranges only).
        "floor-file": lambda: servers.aspnet_baseline("floor-file", args.publish, data, logs, "/floor-file/"),
        # floor-file plus the per-request checks and the order of work a safe file server needs (the gateway's): a
        # statx of the path, a readlinkat of the descriptor, a statx of it after the read, the copy out of a rented
        # buffer once the response starts. Between it and floor-file is what safety costs; between the gateway and it,
        # what the request pipeline costs.
        "floor-safe": lambda: servers.aspnet_baseline("floor-safe", args.publish, data, logs, "/floor-safe/"),
        # nginx with the repository's locations in front of a gateway of its own (issue 16, target 4): the gateway
        # streams and nginx passes the bytes through, or the gateway answers with X-Accel-Redirect and nginx sends them.
        "nginx-proxy": lambda: servers.nginx_front("nginx-proxy", args.work, args.publish, data, logs, offload=False),
        "nginx-offload": lambda: servers.nginx_front("nginx-offload", args.work, args.publish, data, logs, offload=True),
    }
    # The baselines as Native AOT builds (run.sh publishes them when a server named *-aot is asked for), built as the
    # gateway is: the JIT-built baselines have dynamic PGO, which the gateway's AOT build has not, so this pair keeps
    # the compilation model out of a ratio.
    for base, prefix in (("static", "/static/"), ("floor-file", "/floor-file/"), ("floor-safe", "/floor-safe/")):
        known[f"{base}-aot"] = lambda base=base, prefix=prefix: servers.aspnet_baseline(
            f"{base}-aot", args.publish, data, logs, prefix, folder="baselines-aot")
    for variant in args.front_variant:
        # NAME:proxy|offload:DIRECTIVES, the directives replacing the upstream block's keepalive lines.
        label, mode, upstream = (variant.split(":", 2) + [""])[:3]
        if mode not in ("proxy", "offload"):
            raise SystemExit(f"--front-variant {variant}: the mode is proxy or offload")
        known[label] = lambda label=label, mode=mode, upstream=upstream: servers.nginx_front(
            label, args.work, args.publish, data, logs, offload=mode == "offload", upstream_extra=upstream)
    for variant in args.variant:
        label, settings = variant.split(":", 1)
        label, _, folder = label.partition("@")
        env = dict(kv.split("=", 1) for kv in settings.split(",") if kv)
        def start_variant(label=label, env=env, folder=folder):
            server = servers.gateway(args.publish, data, logs, label, env, folder or "gateway")
            # A variant throttled to the measured rate is a throttled side: read as fast as it comes, in `throttled`
            # only (a variant with a huge rate, set to measure the cost of the checks, is an ordinary server).
            server.throttles = int(env.get("Gateway__Limits__RatePerDownload", "0")) == args.throttle_rate
            return server
        known[label] = start_variant
    wanted = [s for s in args.servers.split(",") if s]
    front_servers = {"nginx-proxy", "nginx-offload"} | {v.split(":", 1)[0] for v in args.front_variant}
    if "throttled" in only:
        # The throttled side: the published gateway with only RatePerDownload set, its downloads read as fast as the
        # client can; every other server runs the same downloads unthrottled and read by slow readers at that rate.
        throttle_env = {"Gateway__Limits__RatePerDownload": str(args.throttle_rate)}

        def start_throttled():
            server = servers.gateway(args.publish, data, logs, "gateway-throttled", throttle_env)
            server.throttles = True
            return server
        known["gateway-throttled"] = start_throttled
        if "gateway-throttled" not in wanted:
            wanted.insert(0, "gateway-throttled")
    if shutil.which("nginx") is None and any(s == "nginx" or s in front_servers for s in wanted):
        log("nginx is not installed: the nginx baselines are left out (apt-get install nginx-light to add them).")
        wanted = [s for s in wanted if s != "nginx" and s not in front_servers]
    running = []
    results = {s: {} for s in wanted}
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        for s in wanted:
            server = known[s]()
            server.start(names[sizes[0]])
            running.append(server)
        log("Servers: " + ", ".join(f"{s.name} (pid {s.pid}, port {s.port})" for s in running))
        # Warm-up, not recorded: JIT tiering and thread-pool growth happen here instead of in the first measurement.
        warm_size = max((s for s in names if s <= GIB), default=min(names))
        # Not the throttled gateway: at its rate the warm-up download would take minutes (it is native, nothing to JIT).
        for server in (s for s in running if not args.fresh and not s.name.startswith("floor") and not getattr(s, "throttles", False)):
            single_stream(server, names[warm_size], warm_size, 120)

        def restart_busy_bystanders(measured, order, seconds=0.5, cores=0.25, settle_seconds=15):
            # A server that keeps a core busy while another one is measured takes that CPU from the measurement:
            # ASP.NET Core's static files (the baseline) spun 1.6 cores for minutes after a slow-reader test here,
            # and the servers measured after it lost their readers' rate (their clients' loops lagged 300-420 ms).
            # A JIT server is also busy for a few seconds after a load of its own: it compiles the methods that the
            # load made hot (tiered compilation). Restarting it then threw that work away, so static files were
            # measured on a cold process in every repeat of a ranges run (1.3 to 3.5 x their CPU per request). So a
            # busy bystander is given settle_seconds to go quiet, and only one that stays busy is restarted (logged).
            def alive(s):
                procs = [s.front.proc, s.gateway.proc] if hasattr(s, "front") else [s.proc]
                return all(p is not None and p.poll() is None for p in procs)

            def busy(candidates):
                before = {s.name: procstat.cpu_seconds(s.pid) for s in candidates}
                time.sleep(seconds)
                return {s.name: (procstat.cpu_seconds(s.pid) - before[s.name]) / seconds for s in candidates}

            others = [s for s in running if s is not measured and alive(s)]
            used = busy(others)
            waited = 0.0
            while waited < settle_seconds and any(u > cores for u in used.values()):
                waited += seconds
                used = busy([s for s in others if used[s.name] > cores]) | {n: u for n, u in used.items() if u <= cores}
            for s in others:
                if used[s.name] > cores:
                    log(f"  {s.name} used {used[s.name]:.2f} cores while idle for {settle_seconds} s, before {measured.name} was measured: restarted")
                    s.stop()
                    s.start(names[sizes[0]])
            if waited > 0:
                log(f"  waited {waited:.1f} s for busy bystanders to go quiet before {measured.name} was measured")

        def each(kind, label, measure, throttled_too=False, fresh_env=None):
            # A throttling gateway takes part in the throttled measurement only: everything else would measure its rate.
            # fresh_env: a new process of each server for every measurement, gateways with these extra variables.
            for r in range(repeats):
                order = running[r % len(running):] + running[:r % len(running)] if args.rotate else running
                for server in (s for s in order if throttled_too or not getattr(s, "throttles", False)):
                    if server.name.startswith("floor") and kind != "ranges":
                        # The floor baselines answer a range of the range file and nothing else: in a full run they
                        # take part in the random ranges only.
                        if r == 0:
                            log(f"  {label:<22} {server.name:<8} left out: a floor baseline serves random ranges only")
                        continue
                    if args.fresh or fresh_env is not None:
                        server.stop()
                        is_gateway = getattr(server, "kind", "") == "gateway"
                        server.start(names[sizes[0]], extra_env=fresh_env if is_gateway else None)
                        server.metrics = is_gateway and fresh_env is not None
                    restart_busy_bystanders(server, order)
                    try:
                        result = measure(server)
                    except SkipMeasurement as skipped:
                        log(f"  [{r + 1}/{repeats}] {label:<22} {server.name:<8} left out: {skipped}")
                        continue
                    results[server.name].setdefault(kind, []).append(result)
                    log(f"  [{r + 1}/{repeats}] {label:<22} {server.name:<8} " + " ".join(
                        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items() if not isinstance(v, (list, dict))))

        if "stream" in only:
            for size in sizes:
                each(f"stream-{size}", f"curl {names[size]}", lambda s, size=size: single_stream(s, names[size], size, 300))
        if "ranges" in only:
            each("ranges", "wrk 64 KiB ranges", lambda s: random_ranges(s, names[range_size], range_size, args.work, wrk_seconds, 16))
        if "aria2" in only:
            aria2_target = aria2_folder(args.aria2_dir, args.work, range_size)
            log(f"aria2c writes into {aria2_target}")
            try:
                # Not recorded: the first aria2c download of a run took about twice as long as the later ones
                # whichever server it went to (aria2c's own CPU time doubled with it), and the server measured
                # first (the gateway, by default) took the blame.
                warm = aria2(running[0], names[range_size], range_size, aria2_target, 300)
                log(f"  warm-up aria2c -x16 ({running[0].name}, not recorded): {warm['seconds']:.2f} s, aria2c CPU {warm['aria2_cpu_s']:.2f} s")
                each("aria2", "aria2c -x16", lambda s: aria2(s, names[range_size], range_size, aria2_target, 300))
            finally:
                if aria2_target.startswith("/dev/shm/") and os.path.isdir(aria2_target):
                    shutil.rmtree(aria2_target)
        if "slow" in only:
            each("slow", f"{slow_clients} slow readers", lambda s: slow_readers(s, names[sizes[-1]], slow_clients, 200 * 1024, slow_seconds))
        if "throttled" in only:
            # Each download reads at most rate x seconds plus what the socket buffers take ahead (a few MiB on
            # loopback): a file far larger than that keeps every download running for the whole time.
            throttle_file = names[sizes[-1]]
            if sizes[-1] < 2 * args.throttle_rate * throttle_seconds + 32 * MIB:
                raise SystemExit(f"throttled: {throttle_file} is too small for {throttle_seconds:g} s at {args.throttle_rate} B/s; pass a larger --sizes")
            each("throttled", f"{throttle_clients} downloads",
                 lambda s: throttled(s, throttle_file, throttle_clients, args.throttle_rate, throttle_seconds, args.throttle_processes),
                 throttled_too=True)
        if "slowscale" in only:
            # Each download reads about rate x seconds plus what the socket buffers take ahead: the smallest file
            # of the run is plenty when it is 64 MiB (quick: 8 MiB for 4 s).
            scale_file = names[sizes[0]]
            for count in slow_counts:
                ramp = args.slow_ramp if args.slow_ramp is not None else min(max(1.0, count / 1000), slow_scale_seconds / 3)
                # /metrics on for the gateways of this measurement only: it is how their memory is split.
                each(f"slowscale-{count}", f"{count} readers {args.slow_rate // 1024} KiB/s",
                     lambda s, count=count, ramp=ramp: slow_scale(s, scale_file, count, args.slow_rate, slow_scale_seconds, ramp),
                     fresh_env={"Gateway__Metrics__Prometheus": "true"})
    finally:
        for server in running:
            server.stop()

    report = render(args, results, names, sizes, range_size, slow_clients, slow_seconds, repeats, started,
                    throttle_clients, throttle_seconds, slow_counts, slow_scale_seconds)
    report_path = os.path.join(args.work, "last-run.md")
    with open(report_path, "w") as f:
        f.write(report)
    with open(os.path.join(args.work, "last-run.json"), "w") as f:
        # What pictures.py needs to redraw the run from this file alone, beside every repeat's results.
        meta = {"names": names, "sizes": sizes, "range_size": range_size, "slow_counts": slow_counts, "slow_rate": args.slow_rate,
                "command": args.command, "started": f"{started:%Y-%m-%d %H:%M} UTC"}
        json.dump({"meta": meta, "results": results}, f, indent=1)
    log("")
    log(report)
    log(f"(also written to {report_path})")
    pictures.draw_all(results, args.work, names, sizes, range_size, slow_counts, args.slow_rate, args.pictures_to)


def raise_limits(clients):
    """Open files for `clients` downloads: a socket and a file each in the server, a socket each in the clients,
    plus room. The soft limit goes to the hard one; the hard one is raised (for this process and what it starts:
    the servers inherit it) when that is allowed, and otherwise the run stops naming what it needs. System-wide
    settings are only read: the listen backlog (net.core.somaxconn caps Kestrel's 512 and nginx's 511) and the
    ephemeral port range bound how many connections the loopback clients can open; they are printed, not changed."""
    needed = 2 * clients + 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            hard = needed
        except (ValueError, OSError):
            # The gateways share one descriptor per file between downloads (the open-file cache): a socket each is
            # enough for them. Servers that open the file per download are left out of the counts they cannot hold.
            if hard < clients + 1000:
                raise SystemExit(f"open files are limited to {hard}: {clients} downloads need at least {clients + 1000} (`ulimit -Hn {needed}` as root)")
            log(f"Open files are limited to {hard} (raising it is not allowed): servers that open a file per download "
                f"are measured up to {(hard - 1000) // 2} readers; `ulimit -Hn {needed}` as root lifts that")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if clients > 1000:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(v) for v in f.read().split())
        with open("/proc/sys/net/core/somaxconn") as f:
            somaxconn = int(f.read())
        log(f"Limits: open files {hard}; ephemeral ports {low}-{high} ({high - low + 1}); net.core.somaxconn {somaxconn}")
        if high - low + 1 < clients + 1000:
            raise SystemExit(f"{clients} loopback connections need more ephemeral ports than {low}-{high}: "
                             f"`sysctl net.ipv4.ip_local_port_range=\"15000 64000\"` (not changed by this harness)")


def render(args, results, names, sizes, range_size, slow_clients, slow_seconds, repeats, started,
           throttle_clients=0, throttle_seconds=0, slow_counts=(), slow_scale_seconds=0):
    # The main table: servers with a measurement other than the throttled and slowscale ones, which have tables of their own.
    servers_run = [s for s in results if any(k != "throttled" and not k.startswith("slowscale-") for k in results[s])]
    baselines = [s for s in servers_run if s != "gateway"]
    lines = [f"Run {started:%Y-%m-%d %H:%M} UTC, commit {commit()}, {machine()}.",
             f"Command: `{args.command}{' --quick' if args.quick else ''}` ({repeats} repeats, servers interleaved; medians).", ""]
    if not servers_run:
        return "\n".join(lines + render_throttled(args, results, throttle_clients, throttle_seconds)
                         + render_slow_scale(args, results, slow_counts, slow_scale_seconds)) + "\n"

    def row(label, kind, key, fmt, better):
        cells = []
        values = {}
        for s in servers_run:
            runs = results[s].get(kind, [])
            values[s] = median(runs, key) if runs else None
            cells.append(fmt.format(values[s]) if values[s] is not None else "-")
        ratios = []
        g = values.get("gateway")
        for b in baselines:
            if g is not None and values.get(b):
                ratios.append(f"{g / values[b]:.2f}× {b}")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {', '.join(ratios)} ({better}) |")

    def has_parts(s, kind):
        return any(k.startswith("nginx_") for r in results[s].get(kind, [])[:1] for k in r)

    def parts_row(label, kind, key, fmt):
        # nginx in front of a gateway: each process's own figure, whose sum is the row above.
        if not any(has_parts(s, kind) for s in servers_run):
            return
        cells = [f"nginx {fmt.format(median(results[s][kind], 'nginx_' + key))} + gateway {fmt.format(median(results[s][kind], 'gateway_' + key))}"
                 if has_parts(s, kind) else "-" for s in servers_run]
        lines.append(f"| {label} | " + " | ".join(cells) + " | |")

    lines.append("| measurement | " + " | ".join(servers_run) + " | gateway ratio |")
    lines.append("|---|" + "---|" * len(servers_run) + "---|")
    for size in sizes:
        if f"stream-{size}" in results[servers_run[0]]:
            row(f"curl {names[size]}: GiB/s", f"stream-{size}", "gib_s", "{:.2f}", "higher is better")
    for size in sizes:
        if f"stream-{size}" in results[servers_run[0]]:
            row(f"curl {names[size]}: server CPU s/GiB", f"stream-{size}", "cpu_s_per_gib", "{:.2f}", "lower is better")
            parts_row(f"curl {names[size]}: of which each process", f"stream-{size}", "cpu_s_per_gib", "{:.2f}")
    for size in sizes:
        if f"stream-{size}" in results[servers_run[0]]:
            row(f"curl {names[size]}: peak VmRSS MiB", f"stream-{size}", "peak_rss_mib", "{:.1f}", "lower is better")
            parts_row(f"curl {names[size]}: peak VmRSS MiB of each process", f"stream-{size}", "peak_rss_mib", "{:.1f}")
            row(f"curl {names[size]}: VmHWM MiB", f"stream-{size}", "hwm_mib", "{:.1f}", "lower is better")
    if "ranges" in results[servers_run[0]]:
        row(f"wrk 64 KiB random ranges of {names[range_size]}: req/s", "ranges", "rps", "{:.0f}", "higher is better")
        row("wrk 64 KiB random ranges: p99 ms", "ranges", "p99_ms", "{:.2f}", "lower is better")
        row("wrk 64 KiB random ranges: server CPU µs per request", "ranges", "cpu_us_per_req", "{:.1f}", "lower is better")
        parts_row("wrk 64 KiB random ranges: of which each process", "ranges", "cpu_us_per_req", "{:.1f}")
        row("wrk 64 KiB random ranges: peak VmRSS MiB", "ranges", "peak_rss_mib", "{:.1f}", "lower is better")
        parts_row("wrk 64 KiB random ranges: peak VmRSS MiB of each process", "ranges", "peak_rss_mib", "{:.1f}")
    if "aria2" in results[servers_run[0]]:
        row(f"aria2c -x16 -s16 -k1M {names[range_size]}: s", "aria2", "seconds", "{:.2f}", "lower is better")
        row("aria2c: server CPU s", "aria2", "cpu_s", "{:.2f}", "lower is better")
        row("aria2c: aria2c's own CPU s", "aria2", "aria2_cpu_s", "{:.2f}", "lower is better")
        row("aria2c: requests sent", "aria2", "requests", "{:.0f}", "fewer is better")
    if "slow" in results[servers_run[0]]:
        row(f"{slow_clients} readers at 200 KiB/s for {slow_seconds:g} s: served at rate", "slow", "served_at_rate", "{:.0f}", "higher is better")
        row(f"{slow_clients} slow readers: peak VmRSS MiB", "slow", "peak_rss_mib", "{:.1f}", "lower is better")
        row(f"{slow_clients} slow readers: server CPU s", "slow", "server_cpu_s", "{:.2f}", "lower is better")
        row(f"{slow_clients} slow readers: client loop lag p99 ms (the clients' own)", "slow", "client_lag_p99_ms", "{:.0f}", "lower is better")
    if any(f"stream-{s}" in results[servers_run[0]] for s in sizes):
        lines.append("")
        for s in servers_run:
            small, large = results[s].get(f"stream-{sizes[0]}"), results[s].get(f"stream-{sizes[-1]}")
            if small and large:
                lines.append(f"Flatness, {s}: peak VmRSS {names[sizes[-1]]} − {names[sizes[0]]} = "
                             f"{median(large, 'peak_rss_mib') - median(small, 'peak_rss_mib'):+.1f} MiB "
                             f"(VmHWM {median(large, 'hwm_mib') - median(small, 'hwm_mib'):+.1f} MiB)")
    lines.extend(render_fronts(results, servers_run, names, sizes))
    if any(results[s].get("aria2") for s in servers_run):
        first = next(results[s]["aria2"][0] for s in servers_run if results[s].get("aria2"))
        lines.append("")
        lines.append(f"aria2c wrote into {first['written_to']}; its log, per repeat (connections, requests, answers): " + "; ".join(
            f"{s} " + ", ".join(f"{r['connections']}/{r['requests']}/" + " ".join(f"{k}×{v}" for k, v in sorted(r['statuses'].items()))
                                for r in results[s]["aria2"])
            for s in servers_run if results[s].get("aria2")))
    variants = [v.split(":", 1)[0].partition("@")[0] for v in args.variant]
    if "ranges" in results.get("gateway", {}):
        for v in (v for v in variants if "ranges" in results.get(v, {})):
            pairs = list(zip(results[v]["ranges"], results["gateway"]["ranges"]))
            lines.append("")
            lines.append(f"Random ranges, {v} / gateway per repeat (interleaved pairs): req/s "
                         + ", ".join(f"{a['rps'] / b['rps']:.3f}" for a, b in pairs)
                         + f"; median of the ratios {statistics.median(a['rps'] / b['rps'] for a, b in pairs):.3f}"
                         + "; p99 " + ", ".join(f"{a['p99_ms'] / b['p99_ms']:.2f}" for a, b in pairs)
                         + "; CPU per request " + ", ".join(f"{a['cpu_us_per_req'] / b['cpu_us_per_req']:.3f}" for a, b in pairs)
                         + f"; median of the ratios {statistics.median(a['cpu_us_per_req'] / b['cpu_us_per_req'] for a, b in pairs):.3f}")
    lines.extend(render_throttled(args, results, throttle_clients, throttle_seconds))
    lines.extend(render_slow_scale(args, results, slow_counts, slow_scale_seconds))
    return "\n".join(lines) + "\n"


def render_fronts(results, servers_run, names, sizes):
    """Each nginx in front of a gateway against nginx alone, repeat by repeat (the pairs ran next to each other)."""
    lines = []
    fronts = [s for s in servers_run if s != "nginx" and any(k.startswith("nginx_") for runs in results[s].values() for k in runs[0])]
    if "nginx" not in servers_run or not fronts:
        return lines
    measurements = [(f"stream-{size}", f"curl {names[size]} GiB/s", "gib_s") for size in sizes] + [("ranges", "random ranges req/s", "rps")]
    lines.append("")
    for s in fronts:
        parts = []
        for kind, label, key in measurements:
            pairs = list(zip(results[s].get(kind, []), results["nginx"].get(kind, [])))
            if pairs:
                ratios = [a[key] / b[key] for a, b in pairs]
                parts.append(f"{label} " + ", ".join(f"{r:.2f}" for r in ratios) + f" (median {statistics.median(ratios):.2f})")
        lines.append(f"{s} / nginx alone per repeat: " + "; ".join(parts))
    return lines


def render_slow_scale(args, results, counts, seconds):
    """One row per server and number of readers: at rate, memory per connection and where it goes."""
    rows = [(s, c, results[s][f"slowscale-{c}"]) for c in counts for s in results if results[s].get(f"slowscale-{c}")]
    if not rows:
        return []

    def cell(runs, key, fmt):
        values = [r[key] for r in runs if key in r]
        return fmt.format(statistics.median(values)) if values else "-"
    lines = ["", f"Slow readers at scale: N downloads at {args.slow_rate / 1024:g} KiB/s each, {seconds:g} s from each connect, opened "
             f"over the ramp; each server a fresh process per measurement (medians of the repeats, every repeat in last-run.json). "
             f"KiB/conn = (RSS − idle RSS) / N: at the peak, then split at the plateau's middle into the GC's committed memory "
             f"(of which Kestrel's pool blocks) and native (RSS outside the GC). Socket buffers are kernel memory "
             f"(/proc/net/sockstat, both ends of every loopback connection), not in RSS.", "",
             "| server | N | within 10 % | median KiB/s | idle MiB | peak VmRSS MiB | KiB/conn at peak | managed KiB/conn | of which pool | native KiB/conn | socket buffers MiB | threads | server CPU s | client CPU s (procs) | client lag p99 / max ms | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s, c, runs in rows:
        lines.append(f"| {s} | {c} | {median(runs, 'within_10pct'):.0f} / {median(runs, 'clients'):.0f} | {median(runs, 'median_kib_s'):.1f} "
                     f"| {median(runs, 'idle_rss_mib'):.1f} | {median(runs, 'peak_rss_mib'):.1f} | {median(runs, 'kib_per_conn'):.1f} "
                     f"| {cell(runs, 'managed_kib_per_conn', '{:.1f}')} | {cell(runs, 'pool_kib_per_conn', '{:.1f}')} "
                     f"| {cell(runs, 'native_kib_per_conn', '{:.1f}')} | {median(runs, 'socket_mem_mib'):.0f} | {median(runs, 'peak_threads'):.0f} "
                     f"| {median(runs, 'cpu_s'):.1f} | {median(runs, 'client_cpu_s'):.1f} ({runs[0]['client_processes']}) "
                     f"| {median(runs, 'client_lag_p99_ms'):.0f} / {median(runs, 'client_lag_max_ms'):.0f} | {median(runs, 'load1'):.1f} |")
    return lines


def render_throttled(args, results, clients, seconds):
    """One row per server: the throttled gateway (read as fast as it comes) beside the slow readers."""
    rows = [(s, results[s]["throttled"]) for s in results if results[s].get("throttled")]
    if not rows:
        return []
    rate_kib = args.throttle_rate / 1024
    lines = ["", f"{clients} downloads for {seconds:g} s at {rate_kib:g} KiB/s each (served rate = bytes / time after each "
             f"download's first second; medians of the repeats, every repeat in last-run.json):", "",
             "| server | side | within 10 % | median KiB/s | p1 KiB/s | p99 KiB/s | peak VmRSS MiB | VmHWM MiB | threads | server CPU s | client CPU s | client loop lag p99 / max ms | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s, runs in rows:
        lines.append(f"| {s} | {runs[0]['side']} | {median(runs, 'within_10pct'):.0f} / {median(runs, 'clients'):.0f} "
                     f"| {median(runs, 'median_kib_s'):.1f} | {median(runs, 'p1_kib_s'):.1f} | {median(runs, 'p99_kib_s'):.1f} "
                     f"| {median(runs, 'peak_rss_mib'):.1f} | {median(runs, 'hwm_mib'):.1f} | {median(runs, 'peak_threads'):.0f} | {median(runs, 'cpu_s'):.1f} "
                     f"| {median(runs, 'client_cpu_s'):.1f} | {median(runs, 'client_lag_p99_ms'):.0f} / {median(runs, 'client_lag_max_ms'):.0f} "
                     f"| {median(runs, 'load1'):.1f} |")
    return lines


if __name__ == "__main__":
    main()
