#!/usr/bin/env bash
# One large download over HTTPS (HTTP/1.1 and HTTP/2, curl -k), gateway builds or settings side by side, interleaved:
# MiB/s and the server's CPU seconds per download. A self-signed certificate is made for the run (openssl).
#   benchmarks/harness/tls-stream.sh DATA_FOLDER FILE_NAME ROUNDS NAME=EXECUTABLE[,ENV=VALUE...] ...
#   e.g. benchmarks/harness/tls-stream.sh benchmarks/.work/data bench-4g.bin 3 \
#          new=benchmarks/.work/publish/gateway/LargeFileGateway \
#          forced8k=benchmarks/.work/publish/gateway/LargeFileGateway,Gateway__Download__ResponseWriteBufferBytes=8192
# Loopback only; every server is a child of this script and is stopped by its pid at the end.
set -euo pipefail
data=$1 file=$2 rounds=$3
shift 3
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 -subj "/CN=127.0.0.1" 2>/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
names=() ports=()
for spec in "$@"; do
  name=${spec%%=*} rest=${spec#*=}
  exe=${rest%%,*} extra=()
  if [[ $rest == *,* ]]; then IFS=, read -ra extra <<< "${rest#*,}"; fi
  port=$(free_port)
  env "${extra[@]}" Logging__LogLevel__Default=Warning Kestrel__Endpoints__Https__Url="https://127.0.0.1:$port" \
    Kestrel__Endpoints__Https__Certificate__Path="$work/cert.pem" Kestrel__Endpoints__Https__Certificate__KeyPath="$work/key.pem" \
    "$exe" --root "$data" > "$work/$name.log" 2>&1 &
  pids+=($!) names+=("$name") ports+=("$port")
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 100); do curl -sk -o /dev/null -r 0-0 "https://127.0.0.1:$port/files/$file" && break; sleep 0.2; done
done
for round in $(seq 1 "$rounds"); do
  for proto in --http1.1 --http2; do
    for i in "${!names[@]}"; do
      before=$(awk '{print $14+$15}' "/proc/${pids[$i]}/stat")
      result=$(curl -sk "$proto" --max-time 300 -o /dev/null -w "%{speed_download} %{http_version} %{size_download}" "https://127.0.0.1:${ports[$i]}/files/$file")
      after=$(awk '{print $14+$15}' "/proc/${pids[$i]}/stat")
      ticks=$(getconf CLK_TCK)
      echo "$result" | awk -v r="$round" -v n="${names[$i]}" -v c="$(( after - before ))" -v t="$ticks" \
        '{printf "round %s HTTP/%s %-10s %6.0f MiB/s  server CPU %.2f s  (%d bytes)\n", r, $2, n, $1/1048576, c/t, $3}'
    done
  done
done
