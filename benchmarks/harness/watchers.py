"""What open watchers of /events cost the downloads: the same small-download load (wrk, 64 KiB random ranges) with
0 and with N watchers connected, interleaved (0, N, 0, N, ...), median of the repeats, plus the gateway's peak VmRSS.

Not part of run.sh's default run (it needs thousands of sockets); run it on its own after a publish:
  benchmarks/harness/run.sh --quick --only stream      # or any publish of the gateway into benchmarks/.work/publish
  python3 benchmarks/harness/watchers.py --publish benchmarks/.work/publish --folder gateway
Options: --watchers 2000 --repeats 3 --seconds 10 --connections 16 --folder gateway|gateway-jit.

The watchers run in their own process (asyncio, raw sockets, loopback only): each sends GET /events, then reads
and discards everything, as a dashboard would, until told to stop; every run is bounded in time.
"""
import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datafiles  # noqa: E402
import harness  # noqa: E402
import procstat  # noqa: E402
import servers  # noqa: E402


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def _watch(port, stop, connected, counters):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            counters["refused"] += 1
            return
        connected()
        while not stop.is_set():
            chunk = await reader.read(1 << 16)
            if not chunk:
                counters["closed"] += 1
                return
            counters["bytes"] += len(chunk)
    finally:
        writer.close()


async def _clients(port, count, max_seconds):
    stop = asyncio.Event()
    counters = {"bytes": 0, "refused": 0, "closed": 0, "connected": 0}

    def connected():
        counters["connected"] += 1
        if counters["connected"] == count:
            print("ready", flush=True)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(sys.stdin.fileno(), stop.set)  # the parent closing stdin also stops us
    tasks = []
    for _ in range(count):
        tasks.append(asyncio.create_task(_watch(port, stop, connected, counters)))
        if len(tasks) % 200 == 0:
            await asyncio.sleep(0)  # let the accept queue drain instead of opening thousands at once
    try:
        await asyncio.wait_for(stop.wait(), max_seconds)
    except asyncio.TimeoutError:
        pass
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(counters), flush=True)


def client_main(args):
    raise_fd_limit()
    asyncio.run(_clients(args.port, args.watchers, args.max_seconds))


class Watchers:
    """The watcher process for one measurement: started, waited for until every watcher has its 200, stopped."""

    def __init__(self, port, count, max_seconds):
        self._argv = [sys.executable, os.path.abspath(__file__), "--client", "--port", str(port),
                      "--watchers", str(count), "--max-seconds", str(max_seconds)]
        self.proc = None
        self.result = None

    def __enter__(self):
        self.proc = subprocess.Popen(self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            raise RuntimeError(f"watchers did not all connect: {line!r}")
        return self

    def __exit__(self, *exc):
        self.cpu_s = procstat.cpu_seconds(self.proc.pid)
        try:
            out, _ = self.proc.communicate(timeout=60)  # closes stdin: the watchers stop
            self.result = json.loads(out.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--max-seconds", type=float, default=600, help=argparse.SUPPRESS)
    parser.add_argument("--publish", default=os.path.join("benchmarks", ".work", "publish"))
    parser.add_argument("--folder", default="gateway", help="gateway (Native AOT) or gateway-jit, under --publish")
    parser.add_argument("--work", default=os.path.join("benchmarks", ".work"))
    parser.add_argument("--label", default="gateway")
    parser.add_argument("--watchers", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return

    limit = raise_fd_limit()
    if limit < args.watchers + 1000:
        sys.exit(f"the open-files limit is {limit}; {args.watchers} watchers need more (ulimit -n)")
    data = os.path.join(args.work, "data")
    logs = os.path.join(args.work, "logs")
    os.makedirs(logs, exist_ok=True)
    name = datafiles.ensure(data, 64 * datafiles.MIB)
    datafiles.warm(data, name)
    env = {"Gateway__Events__Access": "Open"}
    server = servers.gateway(args.publish, data, logs, name=args.label, extra_env=env, folder=args.folder)
    server.start(name)
    runs = {0: [], args.watchers: []}
    try:
        for repeat in range(args.repeats):
            for count in (0, args.watchers):
                started = time.monotonic()
                if count == 0:
                    cpu = procstat.cpu_seconds(server.pid)
                    result = harness.random_ranges(server, name, 64 * datafiles.MIB, args.work, args.seconds, args.connections)
                    result["cpu_s"] = procstat.cpu_seconds(server.pid) - cpu
                    extra = {}
                else:
                    with Watchers(server.port, count, args.seconds + 120) as watchers:
                        connect_s = time.monotonic() - started
                        cpu = procstat.cpu_seconds(server.pid)
                        result = harness.random_ranges(server, name, 64 * datafiles.MIB, args.work, args.seconds, args.connections)
                        result["cpu_s"] = procstat.cpu_seconds(server.pid) - cpu
                    extra = {"connect_s": round(connect_s, 1), "watcher_cpu_s": watchers.cpu_s, **(watchers.result or {})}
                # Gateway CPU per 1,000 downloads: less at the mercy of other processes on the machine than downloads/s.
                result["cpu_ms_per_1000"] = result["cpu_s"] * 1000 / (result["rps"] * args.seconds) * 1000
                result.update(extra)
                runs[count].append(result)
                print(f"  repeat {repeat + 1}, {count} watchers: {result['rps']:.0f} downloads/s, p99 {result['p99_ms']:.2f} ms, "
                      f"peak VmRSS {result['peak_rss_mib']:.0f} MiB, gateway CPU {result['cpu_ms_per_1000']:.0f} ms per 1,000 downloads {json.dumps(extra)}", flush=True)
        hwm = procstat.hwm_mib(server.pid)
    finally:
        server.stop()

    base = statistics.median(r["rps"] for r in runs[0])
    watched = statistics.median(r["rps"] for r in runs[args.watchers])
    print()
    print(f"| {args.label} | 0 watchers | {args.watchers} watchers |")
    print("|---|---:|---:|")
    print(f"| wrk 64 KiB random ranges, {args.connections} connections, {args.seconds} s: downloads/s (median of {args.repeats}) "
          f"| {base:.0f} | {watched:.0f} ({(watched / base - 1) * 100:+.1f} %) |")
    print(f"| p99 latency ms (median) | {statistics.median(r['p99_ms'] for r in runs[0]):.2f} "
          f"| {statistics.median(r['p99_ms'] for r in runs[args.watchers]):.2f} |")
    print(f"| gateway CPU ms per 1,000 downloads (median) | {statistics.median(r['cpu_ms_per_1000'] for r in runs[0]):.0f} "
          f"| {statistics.median(r['cpu_ms_per_1000'] for r in runs[args.watchers]):.0f} |")
    print(f"| CPU s of the watcher process per run (median) | - "
          f"| {statistics.median(r.get('watcher_cpu_s', 0) for r in runs[args.watchers]):.1f} |")
    print(f"| peak VmRSS MiB during the load (highest of the repeats) | {max(r['peak_rss_mib'] for r in runs[0]):.0f} "
          f"| {max(r['peak_rss_mib'] for r in runs[args.watchers]):.0f} |")
    print(f"| bytes received per watcher during a run (median) | - "
          f"| {statistics.median(r.get('bytes', 0) for r in runs[args.watchers]) / args.watchers / 1024:.0f} KiB |")
    print(f"| VmHWM MiB of the gateway over the whole run | {hwm:.0f} | |")


if __name__ == "__main__":
    main()
