#!/usr/bin/env bash
# One command for the process-level benchmark: publishes Release builds of the gateway and the ASP.NET Core
# baselines, generates (or reuses) seeded files under benchmarks/.work/, runs every measurement with the servers
# interleaved, and prints the table (also written to benchmarks/.work/last-run.md).
#   benchmarks/harness/run.sh            full run (64 MiB, 1, 4 and 8 GiB files; about 15 minutes, results in benchmarks/RESULTS.md)
#   benchmarks/harness/run.sh --quick    smoke run (8 and 64 MiB files, short runs; about 30 seconds)
# Other options go to harness.py: --repeats N, --servers gateway,gateway-jit,static,results,nginx[,floor,floor-file,floor-safe,nginx-proxy,nginx-offload,
#   static-aot,floor-file-aot,floor-safe-aot (the baselines as Native AOT builds)],
# --only stream,ranges,aria2,slow[,throttled,slowscale], --rotate, --sizes 64,8192 (MiB),
# --variant NAME:KEY=VALUE,... (another gateway process with extra environment variables).
#   nginx-proxy, nginx-offload: nginx with the repository's nginx/largefilegateway/ locations in front of a gateway of its
#   own, streaming through nginx or handing the file to nginx (Gateway:Offload:Mode=NginxAccelRedirect); CPU and RSS
#   are the sum of both processes, with each one's share beside it. --front-variant NAME:proxy|offload:DIRECTIVES is
#   another such pair whose upstream block has DIRECTIVES instead of "keepalive 32; keepalive_timeout 60s;".
#   --only aria2: aria2c -x16 -s16 -k1M of the 4 GiB file into tmpfs (/dev/shm, deleted after each download) when it
#   has room, so the disk stays out (--aria2-dir DIR to write elsewhere), after one download that is not recorded.
#   --only throttled: 1,000 downloads throttled by the gateway to 100 KiB/s (Gateway:Limits:RatePerDownload, a gateway
#   of its own, "gateway-throttled") beside the same downloads read at 100 KiB/s by slow readers on every other server
#   (--throttle-clients, --throttle-rate, --throttle-seconds, --throttle-processes).
#   --only slowscale: N concurrent readers at 20 KiB/s for 60 s each (--slow-counts 1000,2500,5000,10000, --slow-rate,
#   --slow-seconds, --slow-ramp), a fresh server process per measurement; memory per connection and where it goes (the
#   gateways run with /metrics on for it). Raises the open-files limit of this run when allowed, prints what it needs
#   otherwise; system settings (net.core.somaxconn, the ephemeral port range) are read and printed, never changed.
# Pictures: PNGs next to last-run.md (RSS during the largest stream, memory per slow connection, random-range req/s);
#   --pictures-to benchmarks/pictures copies them for RESULTS.md. They need matplotlib: apt-get install python3-matplotlib.
# BENCH_WORK=DIR puts files and builds elsewhere; BENCH_REUSE_PUBLISH=1 skips publishing and uses the builds already there.
# Nothing is installed: missing tools are named and the run stops (nginx alone is optional).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="${BENCH_WORK:-$repo/benchmarks/.work}"

missing=()
for tool in dotnet python3 curl wrk aria2c; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Missing tools: ${missing[*]} (Debian: apt-get install curl wrk aria2 python3 python3-matplotlib; dotnet: the .NET 10 SDK)." >&2
  exit 2
fi
command -v nginx >/dev/null 2>&1 || echo "nginx is missing: the nginx baseline will be skipped (Debian: apt-get install nginx-light)." >&2

mkdir -p "$work/publish"
if [ "${BENCH_REUSE_PUBLISH:-0}" = 1 ]; then
  # For a second run on the same commit: publishing takes minutes on a shared machine.
  echo "Reusing the builds in $work/publish (BENCH_REUSE_PUBLISH=1)"
else
  echo "Publishing Release builds into $work/publish"
  # The gateway as a user deploys it (Native AOT, the project's publish default) and as a framework-dependent JIT build.
  dotnet publish "$repo/src/LargeFileGateway/LargeFileGateway.csproj" -c Release -o "$work/publish/gateway" -nologo -v quiet
  dotnet publish "$repo/src/LargeFileGateway/LargeFileGateway.csproj" -c Release -p:PublishAot=false -o "$work/publish/gateway-jit" -nologo -v quiet
  dotnet publish "$repo/benchmarks/Baselines/LargeFileGateway.Baselines.csproj" -c Release -o "$work/publish/baselines" -nologo -v quiet
  # static-aot, floor-file-aot, floor-safe-aot: the baselines compiled as the gateway is (Native AOT, speed preference).
  if [[ " $* " =~ -aot[,[:space:]] ]]; then
    dotnet publish "$repo/benchmarks/Baselines/LargeFileGateway.Baselines.csproj" -c Release -p:PublishAot=true \
      -p:OptimizationPreference=Speed -o "$work/publish/baselines-aot" -nologo -v quiet
  fi
fi

# The pictures need matplotlib: Debian's python3-matplotlib belongs to /usr/bin/python3, which may not be the first
# python3 on PATH (a version manager's); take that one when only it has matplotlib. BENCH_PYTHON=... decides instead.
python="${BENCH_PYTHON:-python3}"
if [ -z "${BENCH_PYTHON:-}" ] && ! python3 -c 'import matplotlib' 2>/dev/null; then
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
    python=/usr/bin/python3
  else
    echo "matplotlib is missing: the run writes its tables but no pictures (Debian: apt-get install python3-matplotlib)." >&2
  fi
fi

cd "$repo"
exec "$python" "$here/harness.py" --work "$work" --publish "$work/publish" "$@"
