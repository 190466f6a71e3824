#!/usr/bin/env bash
# Runs the whole test suite: installs the real clients and servers the tests talk to when they are missing,
# runs every test project, and ends with the totals alone on the last line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for tool in curl wget nginx aria2c axel lsof chromium unzip 7z; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  pkgs=()
  for tool in "${need_apt[@]}"; do
    case "$tool" in
      aria2c) pkgs+=(aria2) ;;
      nginx) pkgs+=(nginx-light) ;;
      7z) pkgs+=(p7zip-full) ;;
      *) pkgs+=("$tool") ;;
    esac
  done
  echo "Installing test dependencies: ${pkgs[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
fi

# The S3 suites also run on a real engine, a Ceph RADOS Gateway that ../shared/tools/ceph-rgw.sh (beside the
# clone) starts; its Debian packages are installed here so that the install stays out of the test timeouts.
need_ceph=0
for tool in ceph ceph-mon ceph-osd monmaptool radosgw radosgw-admin; do
  command -v "$tool" >/dev/null 2>&1 || need_ceph=1
done
if [ "$need_ceph" -eq 1 ]; then
  echo "Installing test dependencies: ceph-mon ceph-osd radosgw"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw >/dev/null
  fi
fi

# The S3-compatible server of the storage tests: s3rver, pinned, installed with npm into tests/.tools (gitignored).
S3RVER_VERSION=3.7.1
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing test dependencies: nodejs npm"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
fi
s3rver_package=tests/.tools/node_modules/s3rver/package.json
if ! grep -q "\"version\": \"${S3RVER_VERSION}\"" "$s3rver_package" 2>/dev/null; then
  echo "Installing s3rver ${S3RVER_VERSION} into tests/.tools"
  mkdir -p tests/.tools
  npm install --prefix tests/.tools --no-audit --no-fund --no-save --loglevel=error "s3rver@${S3RVER_VERSION}" >/dev/null
fi
test -f tests/.tools/node_modules/s3rver/bin/s3rver.js || { echo "s3rver ${S3RVER_VERSION} could not be installed"; exit 1; }

# The dashboard test drives the system chromium through Playwright; Playwright must never fetch a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

results="$(pwd)/TestResults"
rm -rf "$results"
mkdir -p "$results"

status=0
dotnet build LargeFileGateway.sln -c Release -nologo -v quiet || exit 1
# The gateway as users deploy it: `dotnet publish` makes a Native AOT executable (PublishAot in its project). The
# tests in Hosting/NativeAotTests.cs run it; publishing here keeps that minute out of the test timeouts.
dotnet publish src/LargeFileGateway/LargeFileGateway.csproj -c Release -o tests/.aot/gateway -nologo -v quiet || exit 1
export LARGEFILEGATEWAY_NATIVE_GATEWAY="$(pwd)/tests/.aot/gateway/LargeFileGateway"
dotnet test LargeFileGateway.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=normal" || status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# The names and first message lines of failed tests, last before the totals, so a CI log cut to its tail still says
# which tests failed and why.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for result in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if result.get("outcome") != "Failed":
        continue
    message = result.find("t:Output/t:ErrorInfo/t:Message", ns)
    text = (message.text or "").strip().splitlines() if message is not None else []
    print("FAILED " + result.get("testName", "?"))
    for line in text[:6]:
        print("    " + line[:300])
PY
done

for artifact in "$results"/*.png; do
  [ -f "$artifact" ] && echo "Test artifact: $artifact"
done

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "No test results were found: treating the run as failed."
  status=1
fi
echo "${passed} passed, ${failed} failed"
exit $status
