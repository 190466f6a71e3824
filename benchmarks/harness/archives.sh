#!/usr/bin/env bash
# Archive of a folder vs a plain download, on one gateway process per measurement (so that its peak RSS, VmHWM,
# is that download's): a 4 GiB folder of 64 files vs one 4 GiB file (throughput and peak RSS), and the archive of
# 100,000 small files beside one of 10,000 (time to first byte and peak RSS: the peak must not grow with the entry
# count), and aria2c -x16 -s16 fetching the 100,000-file archive (16 requests at once, each walking the folders).
# Sparse files: the disk is not what is measured.
#   benchmarks/harness/archives.sh GATEWAY_EXECUTABLE     (a published gateway: dotnet publish -c Release -o DIR)
#   ONLY=many benchmarks/harness/archives.sh ...          only the small-file archives
# Every step is bounded by timeout; only the processes it starts are stopped, by their pid.
set -euo pipefail
gateway="${1:?usage: archives.sh GATEWAY_EXECUTABLE}"
work="${BENCH_WORK:-$(mktemp -d /tmp/lfg-archives-bench.XXXXXX)}"
port="${BENCH_PORT:-18960}"
root="$work/root"
mkdir -p "$root/folder" "$root/many" "$root/ten"

if [ ! -f "$root/ten/f009/x0999.bin" ]; then
  truncate -s 4G "$root/one.bin"
  for i in $(seq -w 0 63); do truncate -s 64M "$root/folder/part-$i.bin"; done
  python3 - "$root/many" <<'PY'
import os, random, sys
random.seed(100000)
for f in range(100):
    folder = os.path.join(sys.argv[1], "f%03d" % f)
    os.makedirs(folder, exist_ok=True)
    for i in range(1000):
        with open(os.path.join(folder, "x%04d.bin" % i), "wb") as out:
            out.write(random.randbytes(random.randint(0, 64)))
PY
  for f in $(seq -w 0 9); do cp -r "$root/many/f00$f" "$root/ten/"; done
fi

start() {
  "$gateway" --urls "http://127.0.0.1:$port" --root "$root" --Gateway:Archives:Enabled=true --Logging:LogLevel:Default=Warning >"$work/gateway.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
}

measure() { # name url
  start
  local out; out=$(timeout 300 curl -s -o /dev/null -w '%{size_download} %{time_starttransfer} %{time_total} %{speed_download}' "$2")
  local peak; peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  read -r size ttfb total speed <<<"$out"
  printf '%-28s %14s bytes  ttfb %6.3f s  total %7.2f s  %8.1f MiB/s  idle RSS %6.1f MiB  peak RSS %6.1f MiB\n' \
    "$1" "$size" "$ttfb" "$total" "$(echo "$speed / 1048576" | bc -l)" "$(echo "$idle / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
}

parallel() { # name url: aria2c -x16 -s16 into the work folder (then deleted)
  start
  local began; began=$(date +%s.%N)
  rm -rf "$work/aria2"
  timeout 600 aria2c -q -x16 -s16 -k1M --file-allocation=none --allow-overwrite=true -d "$work/aria2" -o out.zip "$2"
  local ended; ended=$(date +%s.%N)
  local size; size=$(stat -c %s "$work/aria2/out.zip")
  local peak; peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work/aria2"
  printf '%-28s %14s bytes  total %7.2f s  idle RSS %6.1f MiB  peak RSS %6.1f MiB\n' \
    "$1" "$size" "$(echo "$ended - $began" | bc -l)" "$(echo "$idle / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
}

if [ "${ONLY:-}" != many ]; then
  for run in 1 2; do
    measure "file 4 GiB (run $run)" "http://127.0.0.1:$port/files/one.bin"
    measure "archive 64 x 64 MiB (run $run)" "http://127.0.0.1:$port/archives/folder.zip"
  done
fi
for run in 1 2; do
  measure "archive 10,000 files (run $run)" "http://127.0.0.1:$port/archives/ten.zip"
  measure "archive 100,000 files (run $run)" "http://127.0.0.1:$port/archives/many.zip"
done
parallel "aria2c -x16 100,000 files" "http://127.0.0.1:$port/archives/many.zip"
