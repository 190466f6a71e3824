"""Memory over many downloads: one gateway process serves `--downloads` back-to-back curls of one file, and after each
one this records the process's VmRSS, the GC's committed memory and heap size at its last collection, the bytes the
GC has handed out in all, and its collections per generation (from the gateway's own /metrics).

A single download's peak says little about a server that runs for weeks: what matters is whether memory keeps growing
download after download, and if it does, whether it is live data (a leak: the heap after a collection grows) or the
GC keeping more memory committed than it uses (the heap after a collection stays put while committed grows).

Usage (after run.sh has published the builds and written the data files once):
  python3 benchmarks/harness/flatness.py --binary benchmarks/.work/publish/gateway/LargeFileGateway \
      --data benchmarks/.work/data --size 4096 --downloads 60 [--env KEY=VALUE ...] [--label NAME]
Prints one line per download and a closing summary; writes nothing else.
"""
import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datafiles  # noqa: E402
import procstat  # noqa: E402
import servers  # noqa: E402

MIB = 1 << 20


def scrape(port):
    """GC figures from /metrics, in bytes and counts (summed over generations where the metric has them)."""
    values = {}
    for name, labels, value in servers.prometheus_samples(port, [
            "dotnet_gc_last_collection_memory_committed_size", "dotnet_gc_last_collection_heap_size",
            "dotnet_gc_heap_total_allocated", "dotnet_gc_collections"]):
        if name == "dotnet_gc_collections":
            generation = re.search(r'gc_heap_generation="(\w+)"', labels)
            name = f"gc_{generation.group(1) if generation else 'all'}"
        values[name] = values.get(name, 0.0) + value
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the published gateway (LargeFileGateway)")
    parser.add_argument("--data", required=True, help="the folder of the seeded files (written when missing)")
    parser.add_argument("--size", type=int, default=4096, help="file size in MiB")
    parser.add_argument("--downloads", type=int, default=60, help="back-to-back downloads (bounded: at most 1,000)")
    parser.add_argument("--max-seconds", type=int, default=120, help="curl's limit per download")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the gateway's environment")
    parser.add_argument("--label", default="gateway")
    args = parser.parse_args()
    downloads = max(1, min(args.downloads, 1000))

    name = datafiles.ensure(args.data, args.size * MIB)
    datafiles.warm(args.data, name)
    extra = dict(item.split("=", 1) for item in args.env)
    port = servers.free_port()
    argv = [os.path.abspath(args.binary), "--urls", f"http://127.0.0.1:{port}", "--root", os.path.abspath(args.data)]
    env = {"Logging__LogLevel__Default": "Warning", "Gateway__Metrics__Prometheus": "true", **extra}
    log_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"flatness-{args.label}-{port}.log")
    server = servers.Server(args.label, argv, "/files/", port, log_path, env)
    server.start(name)
    try:
        time.sleep(1)
        idle = scrape(port)
        rss_idle = procstat.rss_mib(server.pid)
        print(f"{args.label}: {args.size} MiB x {downloads}, env {extra or '-'}", flush=True)
        print(f"idle: RSS {rss_idle:.1f} MiB, GC committed {idle.get('dotnet_gc_last_collection_memory_committed_size', 0) / MIB:.1f} MiB", flush=True)
        print("n  GiB/s  RSS_MiB  committed_MiB  heap_after_GC_MiB  allocated_MiB(this)  gen0/gen1/gen2", flush=True)
        before = idle
        rows = []
        for n in range(1, downloads + 1):
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", str(args.max_seconds),
                                  "-w", "%{http_code} %{size_download} %{time_total}", server.url(name)],
                                 capture_output=True, text=True, timeout=args.max_seconds + 10)
            code, downloaded, seconds = out.stdout.split()
            if code != "200" or int(downloaded) != args.size * MIB:
                raise RuntimeError(f"download {n}: {code} with {downloaded} bytes")
            after = scrape(port)
            row = {"n": n, "gib_s": args.size / 1024 / float(seconds), "rss": procstat.rss_mib(server.pid),
                   "committed": after.get("dotnet_gc_last_collection_memory_committed_size", 0) / MIB,
                   "heap": after.get("dotnet_gc_last_collection_heap_size", 0) / MIB,
                   "allocated": (after.get("dotnet_gc_heap_total_allocated", 0) - before.get("dotnet_gc_heap_total_allocated", 0)) / MIB,
                   "gcs": "/".join(str(int(after.get(f"gc_gen{g}", 0) - idle.get(f"gc_gen{g}", 0))) for g in range(3))}
            rows.append(row)
            print(f"{n:<3}{row['gib_s']:6.2f}  {row['rss']:7.1f}  {row['committed']:13.1f}  {row['heap']:17.1f}  "
                  f"{row['allocated']:19.2f}  {row['gcs']}", flush=True)
            before = after
        allocated = sorted(r["allocated"] for r in rows[1:] or rows)
        print(f"summary: RSS idle {rss_idle:.1f} -> after 1: {rows[0]['rss']:.1f}, after {downloads}: {rows[-1]['rss']:.1f} MiB "
              f"(peak {max(r['rss'] for r in rows):.1f}); GC committed after {downloads}: {rows[-1]['committed']:.1f} MiB, "
              f"heap after GC {rows[-1]['heap']:.1f} MiB; allocated per download (median, first left out) "
              f"{allocated[len(allocated) // 2]:.2f} MiB; collections gen0/gen1/gen2 {rows[-1]['gcs']}", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
