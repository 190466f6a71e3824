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


def single_stream(server, name, size, max_seconds):
    """curl -o /dev/null: throughput, server CPU per GiB, peak VmRSS (50 ms samples) and VmHWM after a reset."""
    pid = server.pid
    procstat.reset_hwm(pid)
    cpu_before = procstat.cpu_seconds(pid)
    with procstat.PeakRss(pid) as peak:
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", str(max_seconds),
                              "-w", "%{http_code} %{size_download} %{time_total}", server.url(name)],
                             capture_output=True, text=True, timeout=max_seconds + 10)
    cpu = procstat.cpu_seconds(pid) - cpu_before
    code, downloaded, seconds = out.stdout.split()
    if code != "200" or int(downloaded) != size:
        raise RuntimeError(f"{server.name}: curl got {code} with {downloaded} of {size} bytes")
    return {"gib_s": size / GIB / float(seconds), "cpu_s_per_gib": cpu / (size / GIB),
            "peak_rss_mib": peak.peak, "hwm_mib": procstat.hwm_mib(pid)}


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
    return {"rps": rps, "p99_ms": p99, "cpu_us_per_req": 1e6 * cpu / max(1, requests), "peak_rss_mib": peak.peak, "peak_threads": peak.peak_threads, "load1": os.getloadavg()[0]}


def slow_readers(server, name, clients, rate, seconds, processes=4):
    """Runs the readers in several client processes, so that one Python event loop falling behind on a busy
    machine is not mistaken for a server that cannot keep its clients at rate."""
    script = os.path.join(os.path.dirname(__file__), "slowreaders.py")
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    with procstat.PeakRss(server.pid) as peak:
        runs = [subprocess.Popen([sys.executable, script, "--port", str(server.port), "--path", server.path(name),
                                  "--clients", str(n), "--rate", str(rate), "--seconds", str(seconds)],
                                 stdout=subprocess.PIPE, text=True) for n in shares if n > 0]
        outputs = [json.loads(run.communicate(timeout=seconds + 60)[0]) for run in runs]
    return {"clients": sum(o["clients"] for o in outputs),
            "served_at_rate": sum(o["served_at_rate"] for o in outputs),
            "ok_status": sum(o["ok_status"] for o in outputs),
            "mean_kib_per_s": sum(o["mean_kib_per_s"] * o["clients"] for o in outputs) / max(1, sum(o["clients"] for o in outputs)),
            "peak_rss_mib": peak.peak}


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


def aria2(server, name, size, work, max_seconds):
    target = os.path.join(work, "aria2")
    os.makedirs(target, exist_ok=True)
    out_file = os.path.join(target, f"{server.name}.bin")
    started = time.monotonic()
    subprocess.run(["aria2c", "-q", "-x16", "-s16", "-k1M", "--file-allocation=none", "--allow-overwrite=true",
                    "--auto-file-renaming=false", f"--stop={max_seconds}", "-d", target, "-o", f"{server.name}.bin",
                    server.url(name)], check=True, timeout=max_seconds + 30)
    seconds = time.monotonic() - started
    got = os.path.getsize(out_file)
    os.remove(out_file)
    if got != size:
        raise RuntimeError(f"{server.name}: aria2c wrote {got} of {size} bytes")
    return {"seconds": seconds}


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
                        help="which measurements to run: stream,ranges,aria2,slow,throttled (throttled is not in the default set)")
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
    parser.add_argument("--command", default=None, help="the command shown in the report (default: run.sh and the options given)")
    parser.add_argument("--sizes", default="", help="file sizes in MiB for the curl runs, e.g. 64,8192")
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
    slow_clients, slow_seconds = (50, 3) if quick else (500, 20)
    repeats = 1 if quick else args.repeats
    only = set(args.only.split(","))
    throttle_clients, throttle_seconds = (100, 5) if quick else (args.throttle_clients, args.throttle_seconds)
    # One socket per download (1,000 for `throttled`): the servers inherit this limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if "throttled" in only and hard < 2 * throttle_clients + 1000:
        raise SystemExit(f"open files are limited to {hard}: raise `ulimit -Hn` for {throttle_clients} downloads")
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
        "nginx": lambda: servers.nginx(args.work, data, logs),
        # Not a file server: 64 KiB from memory on bare Kestrel, the ceiling for the random-ranges measurement.
        "floor": lambda: servers.aspnet_baseline("floor", args.publish, data, logs, "/floor/"),
        # Not a file server either: one pread per request from a file kept open, a bare 206 (ranges only).
        "floor-file": lambda: servers.aspnet_baseline("floor-file", args.publish, data, logs, "/floor-file/"),
    }
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
    if "nginx" in wanted and shutil.which("nginx") is None:
        log("nginx is not installed: the nginx baseline is left out (apt-get install nginx-light to add it).")
        wanted.remove("nginx")
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

        def each(kind, label, measure, throttled_too=False):
            # A throttling gateway takes part in the throttled measurement only: everything else would measure its rate.
            for r in range(repeats):
                order = running[r % len(running):] + running[:r % len(running)] if args.rotate else running
                for server in (s for s in order if throttled_too or not getattr(s, "throttles", False)):
                    if args.fresh:
                        server.stop()
                        server.start(names[sizes[0]])
                    result = measure(server)
                    results[server.name].setdefault(kind, []).append(result)
                    log(f"  [{r + 1}/{repeats}] {label:<22} {server.name:<8} " + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()))

        if "stream" in only:
            for size in sizes:
                each(f"stream-{size}", f"curl {names[size]}", lambda s, size=size: single_stream(s, names[size], size, 300))
        if "ranges" in only:
            each("ranges", "wrk 64 KiB ranges", lambda s: random_ranges(s, names[range_size], range_size, args.work, wrk_seconds, 16))
        if "aria2" in only:
            each("aria2", "aria2c -x16", lambda s: aria2(s, names[range_size], range_size, args.work, 300))
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
    finally:
        for server in running:
            server.stop()

    report = render(args, results, names, sizes, range_size, slow_clients, slow_seconds, repeats, started,
                    throttle_clients, throttle_seconds)
    report_path = os.path.join(args.work, "last-run.md")
    with open(report_path, "w") as f:
        f.write(report)
    with open(os.path.join(args.work, "last-run.json"), "w") as f:
        json.dump(results, f, indent=1)
    log("")
    log(report)
    log(f"(also written to {report_path})")


def render(args, results, names, sizes, range_size, slow_clients, slow_seconds, repeats, started,
           throttle_clients=0, throttle_seconds=0):
    servers_run = [s for s in results if any(k != "throttled" for k in results[s]) or not results[s]]
    baselines = [s for s in servers_run if s != "gateway"]
    lines = [f"Run {started:%Y-%m-%d %H:%M} UTC, commit {commit()}, {machine()}.",
             f"Command: `{args.command}{' --quick' if args.quick else ''}` ({repeats} repeats, servers interleaved; medians).", ""]
    if not servers_run:
        return "\n".join(lines + render_throttled(args, results, throttle_clients, throttle_seconds)) + "\n"

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

    lines.append("| measurement | " + " | ".join(servers_run) + " | gateway ratio |")
    lines.append("|---|" + "---|" * len(servers_run) + "---|")
    for size in sizes:
        if f"stream-{size}" in results[servers_run[0]]:
            row(f"curl {names[size]}: GiB/s", f"stream-{size}", "gib_s", "{:.2f}", "higher is better")
    for size in sizes:
        if f"stream-{size}" in results[servers_run[0]]:
            row(f"curl {names[size]}: server CPU s/GiB", f"stream-{size}", "cpu_s_per_gib", "{:.2f}", "lower is better")
    for size in sizes:
        if f"stream-{size}" in results[servers_run[0]]:
            row(f"curl {names[size]}: peak VmRSS MiB", f"stream-{size}", "peak_rss_mib", "{:.1f}", "lower is better")
            row(f"curl {names[size]}: VmHWM MiB", f"stream-{size}", "hwm_mib", "{:.1f}", "lower is better")
    if "ranges" in results[servers_run[0]]:
        row(f"wrk 64 KiB random ranges of {names[range_size]}: req/s", "ranges", "rps", "{:.0f}", "higher is better")
        row("wrk 64 KiB random ranges: p99 ms", "ranges", "p99_ms", "{:.2f}", "lower is better")
        row("wrk 64 KiB random ranges: server CPU µs per request", "ranges", "cpu_us_per_req", "{:.1f}", "lower is better")
        row("wrk 64 KiB random ranges: peak VmRSS MiB", "ranges", "peak_rss_mib", "{:.1f}", "lower is better")
    if "aria2" in results[servers_run[0]]:
        row(f"aria2c -x16 -s16 -k1M {names[range_size]}: s", "aria2", "seconds", "{:.2f}", "lower is better")
    if "slow" in results[servers_run[0]]:
        row(f"{slow_clients} readers at 200 KiB/s for {slow_seconds:g} s: served at rate", "slow", "served_at_rate", "{:.0f}", "higher is better")
        row(f"{slow_clients} slow readers: peak VmRSS MiB", "slow", "peak_rss_mib", "{:.1f}", "lower is better")
    if any(f"stream-{s}" in results[servers_run[0]] for s in sizes):
        lines.append("")
        for s in servers_run:
            small, large = results[s].get(f"stream-{sizes[0]}"), results[s].get(f"stream-{sizes[-1]}")
            if small and large:
                lines.append(f"Flatness, {s}: peak VmRSS {names[sizes[-1]]} − {names[sizes[0]]} = "
                             f"{median(large, 'peak_rss_mib') - median(small, 'peak_rss_mib'):+.1f} MiB "
                             f"(VmHWM {median(large, 'hwm_mib') - median(small, 'hwm_mib'):+.1f} MiB)")
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
    return "\n".join(lines) + "\n"


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
