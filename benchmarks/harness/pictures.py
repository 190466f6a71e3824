"""PNG pictures of one harness run, drawn from its results (the numbers stay in last-run.md's tables):
  rss-during-stream.png      VmRSS over time while curl downloads the largest file, every server
  memory-per-connection.png  RSS per connection above idle against the number of slow readers, and where it goes
  slowscale-rss.png          VmRSS over time during the largest slow-reader count, every server
  ranges-rps.png             random 64 KiB ranges per second, every server (median bar, each repeat a dot)
Written next to last-run.md by harness.py; `--pictures-to DIR` copies them (benchmarks/pictures for RESULTS.md).
Needs matplotlib (Debian: apt-get install python3-matplotlib); without it the run's tables are still written.
Redraw from a saved run: python3 benchmarks/harness/pictures.py WORK_DIR [--to DIR]
"""
import argparse
import json
import os
import shutil
import statistics

import datafiles

MIB = datafiles.MIB


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    return plt


def _save(plt, figure, path):
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def draw_rss_during_stream(plt, results, names, sizes):
    size = next((s for s in reversed(sizes) if any(results[srv].get(f"stream-{s}") for srv in results)), None)
    if size is None:
        return None
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for server, kinds in results.items():
        runs = kinds.get(f"stream-{size}") or []
        series = runs[0].get("rss_series") if runs else None
        if series:
            axes.plot([t for t, _ in series], [m for _, m in series], label=f"{server} ({runs[0]['gib_s']:.2f} GiB/s)")
    axes.set_xlabel("seconds since the request")
    axes.set_ylabel("VmRSS, MiB (process tree)")
    axes.set_ylim(bottom=0)
    axes.set_title(f"Server memory while curl downloads {names[size]} (first repeat)")
    axes.legend()
    axes.grid(alpha=0.3)
    return figure


def _median(runs, key):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def draw_memory_per_connection(plt, results, counts, rate):
    measured = [(s, [(c, results[s][f"slowscale-{c}"]) for c in counts if results[s].get(f"slowscale-{c}")]) for s in results]
    measured = [(s, points) for s, points in measured if points]
    if not measured:
        return None
    split = [(s, points) for s, points in measured if any("managed_kib_per_conn" in r for _, runs in points for r in runs)]
    figure, panels = plt.subplots(1, 1 + len(split), figsize=(6 + 4.5 * len(split), 4.5), squeeze=False)
    axes = panels[0][0]
    for server, points in measured:
        axes.plot([c for c, _ in points], [_median(runs, "kib_per_conn") for _, runs in points], marker="o", label=server)
    axes.set_xscale("log")
    axes.set_xticks(counts, [f"{c:,}" for c in counts])
    axes.set_xlabel(f"concurrent readers at {rate / 1024:g} KiB/s")
    axes.set_ylabel("(peak VmRSS − idle) / readers, KiB")
    axes.set_ylim(bottom=0)
    axes.set_title("Memory per slow connection")
    axes.legend()
    axes.grid(alpha=0.3)
    for (server, points), axes in zip(split, panels[0][1:]):
        labels = [f"{c:,}" for c, _ in points]
        pool = [_median(runs, "pool_kib_per_conn") or 0.0 for _, runs in points]
        managed = [max(0.0, (_median(runs, "managed_kib_per_conn") or 0.0) - p) for (_, runs), p in zip(points, pool)]
        # Native is RSS growth minus the GC's committed memory: negative when the GC has committed pages the process
        # has not touched yet. A negative bar would be drawn down over the heap's and read as native memory, so
        # only what is there is drawn (the table keeps the signed figure).
        native = [max(0.0, _median(runs, "native_kib_per_conn") or 0.0) for _, runs in points]
        axes.bar(labels, pool, label="Kestrel pool blocks")
        axes.bar(labels, managed, bottom=pool, label="rest of the GC heap (committed)")
        axes.bar(labels, native, bottom=[a + b for a, b in zip(pool, managed)], label="native (RSS outside the GC, if any)")
        axes.set_xlabel("concurrent readers")
        axes.set_ylabel("KiB per connection at the plateau")
        axes.set_title(f"{server}: where it goes")
        axes.legend(fontsize="small")
        axes.grid(alpha=0.3, axis="y")
    return figure


def draw_slowscale_rss(plt, results, counts):
    count = next((c for c in reversed(counts) if any(results[s].get(f"slowscale-{c}") for s in results)), None)
    if count is None:
        return None
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for server, kinds in results.items():
        runs = kinds.get(f"slowscale-{count}") or []
        series = runs[0].get("rss_series") if runs else None
        if series:
            axes.plot([t for t, _ in series], [m for _, m in series], label=server)
    axes.set_xlabel("seconds since the first reader connected")
    axes.set_ylabel("VmRSS, MiB (process tree)")
    axes.set_ylim(bottom=0)
    axes.set_title(f"Server memory with {count:,} slow readers (first repeat)")
    axes.legend()
    axes.grid(alpha=0.3)
    return figure


def draw_ranges(plt, results, names, range_size):
    measured = [(s, results[s]["ranges"]) for s in results if results[s].get("ranges")]
    if not measured:
        return None
    figure, axes = plt.subplots(figsize=(1.6 * len(measured) + 3, 4.5))
    labels = [s for s, _ in measured]
    axes.bar(labels, [statistics.median(r["rps"] for r in runs) for _, runs in measured], color="#8fb3d9", label="median")
    for i, (_, runs) in enumerate(measured):
        axes.plot([i] * len(runs), [r["rps"] for r in runs], "o", color="#1f3b5c", markersize=4,
                  label="each repeat" if i == 0 else None)
    axes.set_ylabel("requests/s")
    axes.set_title(f"wrk, 64 KiB ranges at random offsets of {names.get(range_size, 'the file')}")
    axes.legend()
    axes.grid(alpha=0.3, axis="y")
    return figure


def draw_all(results, work, names, sizes, range_size, counts, rate, copy_to=None):
    """Writes every picture the results allow into `work` (and copies them to `copy_to`); returns their paths."""
    plt = _pyplot()
    if plt is None:
        print("matplotlib is missing: no pictures (Debian: apt-get install python3-matplotlib)", flush=True)
        return []
    written = []
    for file_name, figure in (("rss-during-stream.png", draw_rss_during_stream(plt, results, names, sizes)),
                              ("memory-per-connection.png", draw_memory_per_connection(plt, results, counts, rate)),
                              ("slowscale-rss.png", draw_slowscale_rss(plt, results, counts)),
                              ("ranges-rps.png", draw_ranges(plt, results, names, range_size))):
        if figure is not None:
            written.append(_save(plt, figure, os.path.join(work, file_name)))
    if copy_to:
        os.makedirs(copy_to, exist_ok=True)
        for path in written:
            shutil.copy(path, copy_to)
    print("Pictures: " + (", ".join(written) if written else "none (nothing measured that they show)")
          + (f" (copied to {copy_to})" if copy_to and written else ""), flush=True)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work", help="the harness's work folder (holds last-run.json)")
    parser.add_argument("--to", default=None, help="also copy the pictures into this folder")
    args = parser.parse_args()
    with open(os.path.join(args.work, "last-run.json")) as f:
        saved = json.load(f)
    results, meta = saved["results"], saved["meta"]
    draw_all(results, args.work, {int(k): v for k, v in meta["names"].items()}, meta["sizes"], meta["range_size"],
             meta["slow_counts"], meta["slow_rate"], args.to)


if __name__ == "__main__":
    main()
