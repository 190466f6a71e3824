#!/usr/bin/env bash
# Archive of a folder vs a plain download, on one gateway process per measurement (so that its peak RSS, VmHWM,
# is that download's): a 4 GiB folder of 64 files vs one 4 GiB file (throughput and peak RSS), and the archive of
# 100,000 small files (time to first byte and peak RSS). Sparse files: the disk is not what is measured.
#   benchmarks/harness/archives.sh GATEWAY_EXECUTABLE     (a published gateway: dotnet publish -c Release -o DIR)
# Every step is bounded by timeout; only the processes it starts are stopped, by their pid.
set -euo pipefail
gateway="${1:?usage: archives.sh GATEWAY_EXECUTABLE}"
work="${BENCH_WORK:-$(mktemp -d /tmp/lfg-archives-bench.XXXXXX)}"
port="${BENCH_PORT:-18960}"
root="$work/root"
mkdir -p "$root/folder" "$root/many"

if [ ! -f "$root/one.bin" ]; then
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
fi

measure() { # name url
  "$gateway" --urls "http://127.0.0.1:$port" --root "$root" --Gateway:Archives:Enabled=true --Logging:LogLevel:Default=Warning >"$work/gateway.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  local idle; idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  local out; out=$(timeout 300 curl -s -o /dev/null -w '%{size_download} %{time_starttransfer} %{time_total} %{speed_download}' "$2")
  local peak; peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  read -r size ttfb total speed <<<"$out"
  printf '%-28s %14s bytes  ttfb %6.3f s  total %7.2f s  %8.1f MiB/s  idle RSS %6.1f MiB  peak RSS %6.1f MiB\n' \
    "$1" "$size" "$ttfb" "$total" "$(echo "$speed / 1048576" | bc -l)" "$(echo "$idle / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
}

for run in 1 2; do
  measure "file 4 GiB (run $run)" "http://127.0.0.1:$port/files/one.bin"
  measure "archive 64 x 64 MiB (run $run)" "http://127.0.0.1:$port/archives/folder.zip"
done
measure "archive 100,000 small files" "http://127.0.0.1:$port/archives/many.zip"
