#!/usr/bin/env bash
# Throughput of one large download through nginx: the gateway streaming every byte (Gateway:Offload:Mode=None)
# against nginx sending them with sendfile (NginxAccelRedirect), and the gateway alone for reference. nginx runs
# with the very config the integration tests use (nginx/test/nginx.conf.template + nginx/largefilegateway/).
#
#   benchmarks/nginx/throughput.sh                 # 4 GiB, 5 runs per mode after 2 warm-ups
#   SIZE_GIB=8 RUNS=5 benchmarks/nginx/throughput.sh
#
# The file is sparse, so the figures measure the serving pipeline (page cache, sockets, copies, CPU), not a disk.
# Everything listens on 127.0.0.1; every process started here is stopped by its pid on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

size_gib="${SIZE_GIB:-4}"
runs="${RUNS:-5}"
repo="$(pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/lfg-bench-XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

wait_for() {
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  exit 1
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

dotnet build src/LargeFileGateway -c Release -nologo -v quiet >/dev/null
gateway_dll="$repo/src/LargeFileGateway/bin/Release/net10.0/LargeFileGateway.dll"
mkdir -p "$work/files"
truncate -s "${size_gib}G" "$work/files/big.bin"

start_gateway() { # port, extra args...
  local port="$1"; shift
  dotnet "$gateway_dll" --urls "http://127.0.0.1:$port" --root "$work/files" --Logging:LogLevel:Default=Warning "$@" >"$work/gateway-$port.log" 2>&1 &
  pids+=("$!")
}

start_nginx() { # name, port, upstream port
  local prefix="$work/nginx-$1"
  mkdir -p "$prefix/logs" "$prefix/temp"
  sed -e "s#{{PREFIX}}#$prefix#g" -e "s#{{TEMP}}#$prefix/temp#g" -e "s#{{PORT}}#$2#g" \
      -e "s#{{UPSTREAM_SERVERS}}#        server 127.0.0.1:$3;#" -e "s#{{CONFIG_DIR}}#$repo/nginx#g" \
      -e "s#{{INTERNAL_PREFIX}}#/_protected/#g" -e "s#{{STORAGE_ROOT}}#$work/files#g" \
      nginx/test/nginx.conf.template >"$prefix/nginx.conf"
  nginx -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" &
  pids+=("$!")
}

direct_gateway=$(free_port); start_gateway "$direct_gateway"
direct_gateway_pid="${pids[-1]}"
offload_gateway=$(free_port); start_gateway "$offload_gateway" --Gateway:Offload:Mode=NginxAccelRedirect
offload_gateway_pid="${pids[-1]}"
direct_nginx=$(free_port); start_nginx direct "$direct_nginx" "$direct_gateway"
direct_nginx_pid="${pids[-1]}"
offload_nginx=$(free_port); start_nginx offload "$offload_nginx" "$offload_gateway"
offload_nginx_pid="${pids[-1]}"
for port in "$direct_gateway" "$offload_gateway" "$direct_nginx" "$offload_nginx"; do wait_for "$port"; done

echo "File: ${size_gib} GiB (sparse), ${runs} runs per mode, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(nginx -v 2>&1), dotnet $(dotnet --version)"
printf '%-34s %10s %10s %14s %14s\n' "mode" "best MB/s" "median" "gateway CPU s" "nginx CPU s"
measure() { # label, port, gateway pid, nginx pid (or -)
  local speeds=() gateway_before nginx_before gateway_cpu nginx_cpu="-"
  # Warm-up: JIT tiers, page cache, keepalive connections.
  curl -s -o /dev/null "http://127.0.0.1:$2/files/big.bin"
  curl -s -o /dev/null "http://127.0.0.1:$2/files/big.bin"
  gateway_before=$(cpu_seconds "$3")
  [ "$4" != "-" ] && nginx_before=$(cpu_seconds "$4")
  for _ in $(seq 1 "$runs"); do
    speeds+=("$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$2/files/big.bin")")
  done
  gateway_cpu=$(awk -v a="$gateway_before" -v b="$(cpu_seconds "$3")" -v n="$runs" 'BEGIN { printf "%.2f", (b - a) / n }')
  [ "$4" != "-" ] && nginx_cpu=$(awk -v a="$nginx_before" -v b="$(cpu_seconds "$4")" -v n="$runs" 'BEGIN { printf "%.2f", (b - a) / n }')
  printf '%s\n' "${speeds[@]}" | sort -n | awk -v label="$1" -v g="$gateway_cpu" -v x="$nginx_cpu" '
    { v[NR] = $1 / 1e6 } END { printf "%-34s %10.0f %10.0f %14s %14s\n", label, v[NR], v[int((NR + 1) / 2)], g, x }'
}
measure "gateway alone (no nginx)" "$direct_gateway" "$direct_gateway_pid" -
measure "nginx -> gateway (Offload=None)" "$direct_nginx" "$direct_gateway_pid" "$direct_nginx_pid"
measure "nginx sendfile (NginxAccelRedirect)" "$offload_nginx" "$offload_gateway_pid" "$offload_nginx_pid"
echo "CPU columns: seconds of CPU per ${size_gib} GiB download (user + system), averaged over the runs after a warm-up."
