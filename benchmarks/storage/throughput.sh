#!/usr/bin/env bash
# Throughput of one large download through each storage provider, relative to the local one (a benchmark, not a
# test). Starts everything on loopback: s3rver (from tests/.tools, as tests/run.sh installs it), nginx as the HTTP
# origin, and one gateway per provider; downloads the same file RUNS times through each with curl and prints MB/s.
#   usage: benchmarks/storage/throughput.sh [SIZE_MIB=1024] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
size_mib=${1:-1024}
runs=${2:-3}
work="$(pwd)/benchmarks/.work/storage-throughput"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work/files" "$work/s3" "$work/nginx/logs"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

test -f tests/.tools/node_modules/s3rver/bin/s3rver.js || { echo "s3rver missing: run tests/run.sh first"; exit 1; }
dotnet build src/LargeFileGateway -c Release -nologo -v quiet >/dev/null
gateway_dll=src/LargeFileGateway/bin/Release/net10.0/LargeFileGateway.dll

echo "Writing ${size_mib} MiB of random bytes"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/files/big.bin"
expected=$(sha256sum "$work/files/big.bin" | cut -d' ' -f1)

s3_port=$(free_port)
node tests/.tools/node_modules/s3rver/bin/s3rver.js --directory "$work/s3" --address 127.0.0.1 --port "$s3_port" --silent >/dev/null 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$s3_port/"
sig=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "S3RVER:S3RVER")
curl -sf "${sig[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT "http://127.0.0.1:$s3_port/bench" >/dev/null
curl -sf "${sig[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$work/files/big.bin" "http://127.0.0.1:$s3_port/bench/big.bin" >/dev/null

origin_port=$(free_port)
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx/tmp;
  server { listen 127.0.0.1:$origin_port; root $work/files; }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_http "http://127.0.0.1:$origin_port/big.bin"

start_gateway() {
  local port=$1; shift
  dotnet "$gateway_dll" --urls "http://127.0.0.1:$port" --root "$work/files" --Logging:LogLevel:Default=Warning "$@" >/dev/null 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/files/big.bin"
}
local_port=$(free_port); start_gateway "$local_port"
s3_gw_port=$(free_port); start_gateway "$s3_gw_port" --Gateway:Storage:Provider=S3 --Gateway:Storage:S3:ServiceUrl="http://127.0.0.1:$s3_port" \
  --Gateway:Storage:S3:Bucket=bench --Gateway:Storage:S3:ForcePathStyle=true --Gateway:Storage:S3:AccessKeyId=S3RVER --Gateway:Storage:S3:SecretAccessKey=S3RVER
origin_gw_port=$(free_port); start_gateway "$origin_gw_port" --Gateway:Storage:Provider=HttpOrigin --Gateway:Storage:HttpOrigin:BaseUrl="http://127.0.0.1:$origin_port/"

measure() { # name url -> median MB/s over $runs runs, after checking the bytes once
  local name=$1 url=$2 speeds=()
  local got; got=$(curl -sf "$url" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$expected" ] || { echo "$name: wrong SHA-256" >&2; exit 1; }
  for _ in $(seq 1 "$runs"); do
    speeds+=("$(curl -sf -o /dev/null -w '%{speed_download}' "$url")")
  done
  printf '%s\n' "${speeds[@]}" | sort -n | awk -v n="$name" '{a[NR]=$1} END {printf "%s %.1f\n", n, a[int((NR+1)/2)]/1048576}'
}

results=$(
  measure local "http://127.0.0.1:$local_port/files/big.bin"
  measure s3 "http://127.0.0.1:$s3_gw_port/files/big.bin"
  measure httporigin "http://127.0.0.1:$origin_gw_port/files/big.bin"
  measure s3rver-direct "http://127.0.0.1:$s3_port/bench/big.bin"
  measure nginx-direct "http://127.0.0.1:$origin_port/big.bin"
)
echo "download of ${size_mib} MiB, median of ${runs} runs (curl, loopback, $(nproc) cores):"
echo "$results" | awk 'NR==1 {base=$2} {printf "  %-15s %8.1f MiB/s  %5.2fx local\n", $1, $2, $2/base}'
