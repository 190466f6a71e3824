#!/usr/bin/env python3
"""Remote storage side by side with direct (a benchmark, not a test).

One command measures, on loopback, with everything it uses started and stopped by itself (by pid):
  * time to first byte of a 64 KiB range past 4 GiB, once on a fresh client connection per request and once on
    one kept-alive connection: the S3 provider (with its metadata cache, and with the cache off so that every
    request pays its HEAD) against the same ranged GET signed straight at the S3 server; the HttpOrigin provider
    against the same GET straight at nginx; interleaved, the order shuffled every round;
  * throughput of a whole download (1 GiB of random bytes by default, its SHA-256 checked through every path
    first) through the S3 and HttpOrigin providers against curl straight at the S3 server and at nginx, rotated,
    with the CPU seconds per GiB of each server;
and prints tables of medians, p90 and ratios to direct. Two baselines stand beside them: the gateway on the local
provider (its own price of a request, no backend) and nginx proxying nginx (what any HTTP relay costs here).
Every --variant (a published gateway folder, with optional environment and settings) gets its own gateways, so
a before/after comparison is one run.

S3 servers: s3rver (node, from tests/.tools as tests/run.sh installs it; slow itself, which a ratio tolerates),
and with --rgw also Ceph's RADOS Gateway (ceph-rgw.sh from ../shared/tools beside the repository, a memstore OSD
sized for both objects). The object past 4 GiB is sparse in s3rver: a small object is uploaded through the S3
API, then its stored file is extended in s3rver's folder (s3rver takes an object's length from the file and its
ETag from the stored MD5), so no 4 GiB upload is needed; RGW gets it uploaded (a single PUT, at most 5 GiB).

usage: benchmarks/storage/remote.py [--variant 'NAME=PUBLISH_DIR [ENV=VALUE ...] [--Setting=value ...]' ...]
           [--rgw] [--kinds local,s3,...] [--size-mib 1024] [--runs 5] [--ttfb-samples 100] [--big-gib 5] [--work DIR]
Without --variant, the current tree is published into the work folder as "gateway". Timing is noisy: keep other
load off the machine while it runs, and compare only figures of one run.
"""
import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import procstat  # noqa: E402
from servers import Server, free_port  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
S3RVER = os.path.join(REPO, "tests", ".tools", "node_modules", "s3rver", "bin", "s3rver.js")
BUCKET = "bench"
KEYS = ("S3RVER", "S3RVER")
SIGV4 = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", f"{KEYS[0]}:{KEYS[1]}", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]
RANGE_BYTES = 64 * 1024
KEEPALIVE_BATCH = 10

NGINX_CONF = """daemon off;
master_process on;
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        location /files/ {{ alias {root}/; }}
    }}
    # The floor for any server that relays an HTTP origin: nginx itself as a reverse proxy of the server above
    # (keep-alive upstream, buffers in memory only), so the relay's own price shows beside the gateway's.
    upstream origin {{ server 127.0.0.1:{port}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{proxy_port};
        location /files/ {{
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_max_temp_file_size 0;
        }}
    }}
}}
"""


def curl(args, check=True):
    result = subprocess.run(["curl", "-s", "-S", "--noproxy", "*"] + args, capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise RuntimeError(f"curl {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def cpu_seconds(pids):
    return sum(procstat.cpu_seconds(pid) for pid in (pids if isinstance(pids, list) else [pids]))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def sha256_of(args):
    proc = subprocess.Popen(["curl", "-s", "-f", "--noproxy", "*"] + args, stdout=subprocess.PIPE)
    digest = hashlib.sha256()
    for block in iter(lambda: proc.stdout.read(1 << 20), b""):
        digest.update(block)
    if proc.wait() != 0:
        raise RuntimeError(f"curl {' '.join(args)} failed")
    return digest.hexdigest()


class Target:
    """One way to fetch a key: a URL plus the curl arguments it needs, and the process whose CPU it costs."""

    def __init__(self, name, url_of, extra=(), pid=None, direct=None):
        self.name = name
        self.url_of = url_of
        self.extra = list(extra)
        self.pid = pid
        self.direct = direct  # the name of the direct target this one is compared with


def s3_gateway_settings(endpoint, keys):
    return ["--Gateway:Storage:Provider=S3", f"--Gateway:Storage:S3:ServiceUrl={endpoint}", f"--Gateway:Storage:S3:Bucket={BUCKET}", "--Gateway:Storage:S3:Region=us-east-1",
            "--Gateway:Storage:S3:ForcePathStyle=true", f"--Gateway:Storage:S3:AccessKeyId={keys[0]}", f"--Gateway:Storage:S3:SecretAccessKey={keys[1]}"]


def start_rgw(run, stops, big, huge, args):
    """A fresh single-node Ceph cluster whose memstore OSD holds both objects; both are uploaded through S3 (RGW has
    no folder to place a sparse file in). Its daemons are stopped by the script, from their pid files under DIR."""
    script = os.path.abspath(os.path.join(REPO, "..", "shared", "tools", "ceph-rgw.sh"))
    if not os.path.isfile(script):
        sys.exit("--rgw needs ceph-rgw.sh in ../shared/tools beside the repository")
    cluster = os.path.join(run, "rgw")
    os.makedirs(cluster)
    stops.append(lambda: subprocess.run(["bash", script, "stop", cluster], capture_output=True, timeout=120))
    env = dict(os.environ, CEPH_RGW_MEMSTORE_MB=str(args.size_mib + int(args.big_gib * 1024) + 1024))
    started = time.monotonic()
    out = subprocess.run(["bash", script, "start", cluster, str(free_port())], capture_output=True, text=True, env=env, timeout=300)
    if out.returncode != 0:
        raise RuntimeError("ceph-rgw.sh start failed:\n" + out.stderr[-2000:])
    exports = dict(line[len("export "):].split("=", 1) for line in out.stdout.splitlines() if line.startswith("export "))
    endpoint, keys = exports["S3_ENDPOINT"], (exports["S3_ACCESS_KEY"], exports["S3_SECRET_KEY"])
    up = time.monotonic() - started
    signed = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", f"{keys[0]}:{keys[1]}", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]
    curl(signed + ["-f", "-X", "PUT", f"{endpoint}/{BUCKET}"])
    times = [up]
    for path in (big, huge):
        t = time.monotonic()
        curl(signed + ["-f", "-T", path, f"{endpoint}/{BUCKET}/{os.path.basename(path)}"])
        times.append(time.monotonic() - t)
    # Its CPU is that of the whole cluster: radosgw, the OSD that holds the bytes and the monitor.
    pids = [int(open(os.path.join(cluster, "run", f"{name}.pid")).read().strip()) for name in ("client.rgw.a", "osd.0", "mon.a")]
    return endpoint, keys, pids, times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variant", action="append", default=[], metavar="'NAME=PUBLISH_DIR [ENV=VALUE ...] [--Setting=value ...]'",
                        help="a published gateway, optionally with environment variables and settings for all its gateways")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ttfb-samples", type=int, default=100)
    parser.add_argument("--big-gib", type=float, default=5, help="size of the object past 4 GiB (a single PUT into RGW: at most 5)")
    parser.add_argument("--rgw", action="store_true",
                        help="also measure the S3 provider on Ceph's RADOS Gateway (ceph-rgw.sh from ../shared/tools beside the repository)")
    parser.add_argument("--kinds", default="local,s3,s3 no-cache,origin,s3 on rgw,s3 on rgw no-cache",
                        help="which gateways each variant starts (comma-separated; 's3 on rgw' only with --rgw)")
    parser.add_argument("--work", default=os.path.join(REPO, "benchmarks", ".work", "storage-remote"))
    args = parser.parse_args()
    if not os.path.isfile(S3RVER):
        sys.exit("s3rver missing: run tests/run.sh first (it installs tests/.tools)")

    work = os.path.abspath(args.work)
    shutil.rmtree(os.path.join(work, "run"), ignore_errors=True)
    run = os.path.join(work, "run")
    files, s3dir, logs = (os.path.join(run, d) for d in ("files", "s3", "logs"))
    for d in (files, s3dir, logs):
        os.makedirs(d)

    variants = []
    for spec in args.variant:
        head, *rest = spec.split()
        name, publish = head.split("=", 1)
        env = dict(word.split("=", 1) for word in rest if not word.startswith("--"))
        variants.append((name, publish, env, [word for word in rest if word.startswith("--")]))
    if not variants:
        publish = os.path.join(work, "gateway")
        subprocess.run(["dotnet", "publish", os.path.join(REPO, "src", "LargeFileGateway"), "-c", "Release", "-o", publish, "-nologo", "-v", "quiet"], check=True)
        variants = [("gateway", publish, {}, [])]

    servers = []
    rgw_stops = []
    try:
        started = time.time()
        load_before = os.getloadavg()

        # The data: random bytes for the throughput (checked by SHA-256 through every path), and a sparse file past
        # 4 GiB for the time to first byte.
        big = os.path.join(files, "big.bin")
        with open(big, "wb") as f:
            for _ in range(args.size_mib):
                f.write(os.urandom(1 << 20))
        with open(big, "rb") as f:
            expected = hashlib.file_digest(f, "sha256").hexdigest()
        huge_length = int(args.big_gib * (1 << 30)) // RANGE_BYTES * RANGE_BYTES
        huge = os.path.join(files, "huge.bin")
        with open(huge, "wb") as f:
            f.truncate(huge_length)

        s3_port = free_port()
        s3 = Server("s3rver", ["node", S3RVER, "--directory", s3dir, "--address", "127.0.0.1", "--port", str(s3_port), "--silent"],
                    f"/{BUCKET}/", s3_port, os.path.join(logs, "s3rver.log"))
        s3.proc = subprocess.Popen(s3.argv, stdout=open(s3.log_path, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        servers.append(s3)
        for _ in range(100):
            if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{s3_port}/"]).returncode == 0:
                break
            time.sleep(0.1)
        s3_url = lambda key: f"http://127.0.0.1:{s3_port}/{BUCKET}/{key}"  # noqa: E731
        curl(SIGV4 + ["-f", "-X", "PUT", f"http://127.0.0.1:{s3_port}/{BUCKET}"])
        upload_started = time.monotonic()
        curl(SIGV4 + ["-f", "-T", big, s3_url("big.bin")])
        upload_seconds = time.monotonic() - upload_started
        curl(SIGV4 + ["-f", "-T", "/dev/null", s3_url("huge.bin")])
        stored = os.path.join(s3dir, BUCKET, "huge.bin._S3rver_object")
        with open(stored, "r+b") as f:
            f.truncate(huge_length)
        with open(stored + ".md5", "w") as f:
            f.write(hashlib.md5(b"sparse %d" % huge_length).hexdigest())

        nginx_port, proxy_port = free_port(), free_port()
        prefix = os.path.join(run, "nginx")
        os.makedirs(os.path.join(prefix, "tmp"))
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(prefix=prefix, port=nginx_port, proxy_port=proxy_port, root=files))
        origin = Server("nginx", ["nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"), "-e", os.path.join(prefix, "error.log")],
                        "/files/", nginx_port, os.path.join(logs, "nginx.log"))
        servers.append(origin)
        origin.start("big.bin")

        targets = [Target("s3rver direct", s3_url, SIGV4, s3.pid), Target("nginx direct", origin.url, (), origin.pid),
                   Target("nginx proxying nginx", lambda key: f"http://127.0.0.1:{proxy_port}/files/{key}", (), origin.pid, "nginx direct")]
        s3_settings = s3_gateway_settings(f"http://127.0.0.1:{s3_port}", KEYS)
        rgw_kinds = []
        if args.rgw:
            endpoint, keys, rgw_pids, rgw_seconds = start_rgw(run, rgw_stops, big, huge, args)
            print(f"Ceph RGW up in {rgw_seconds[0]:.0f} s, {args.size_mib} MiB uploaded in {rgw_seconds[1]:.1f} s, {args.big_gib} GiB in {rgw_seconds[2]:.1f} s", flush=True)
            signed = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", f"{keys[0]}:{keys[1]}", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]
            targets.append(Target("rgw direct", lambda key: f"{endpoint}/{BUCKET}/{key}", signed, rgw_pids))
            rgw_settings = s3_gateway_settings(endpoint, keys)
            rgw_kinds = [("s3 on rgw", "rgw direct", rgw_settings),
                         ("s3 on rgw no-cache", "rgw direct", rgw_settings + ["--Gateway:Storage:Resilience:MetadataCacheTtl=00:00:00"])]
        kinds = [
            # The local provider on the same files: the gateway's own cost of a request, without any backend.
            ("local", "nginx direct", []),
            ("s3", "s3rver direct", s3_settings),
            ("s3 no-cache", "s3rver direct", s3_settings + ["--Gateway:Storage:Resilience:MetadataCacheTtl=00:00:00"]),
            ("origin", "nginx direct", ["--Gateway:Storage:Provider=HttpOrigin", f"--Gateway:Storage:HttpOrigin:BaseUrl={origin.url('')}"]),
        ] + rgw_kinds
        wanted_kinds = {k.strip() for k in args.kinds.split(",")}
        kinds = [k for k in kinds if k[0] in wanted_kinds]
        for variant, publish, env, extra_settings in variants:
            for kind, direct, settings in kinds:
                port = free_port()
                name = f"{variant} {kind}"
                # A publish folder holds the native executable (the project publishes Native AOT) or, else, the dll.
                native = os.path.join(publish, "LargeFileGateway")
                command = [native] if os.path.isfile(native) else ["dotnet", os.path.join(publish, "LargeFileGateway.dll")]
                gateway = Server(name, command + ["--urls", f"http://127.0.0.1:{port}", "--root", files] + settings + extra_settings,
                                 "/files/", port, os.path.join(logs, name.replace(" ", "-") + ".log"), {"Logging__LogLevel__Default": "Warning", **env})
                servers.append(gateway)
                gateway.start("big.bin")
                targets.append(Target(name, gateway.url, (), gateway.pid, direct))

        # Every path serves the same bytes before anything is timed.
        probe_offset = (4 << 30) + 12345
        probe = ["-r", f"{probe_offset}-{probe_offset + RANGE_BYTES - 1}"]
        for t in targets:
            if sha256_of(t.extra + [t.url_of("big.bin")]) != expected:
                raise RuntimeError(f"{t.name}: wrong SHA-256 of big.bin")
            got = sha256_of(t.extra + probe + [t.url_of("huge.bin")])
            if got != hashlib.sha256(bytes(RANGE_BYTES)).hexdigest():
                raise RuntimeError(f"{t.name}: wrong bytes for a range past 4 GiB")

        # Time to first byte: one random 64 KiB-aligned offset past 4 GiB per round, every target once per round
        # in a shuffled order; a fresh curl (a fresh client connection) for every sample, as for direct.
        ttfb = {t.name: [] for t in targets}
        rng = random.Random(16)
        slots = (huge_length - (4 << 30)) // RANGE_BYTES
        for _ in range(args.ttfb_samples):
            first = (4 << 30) + rng.randrange(slots) * RANGE_BYTES
            order = targets[:]
            rng.shuffle(order)
            for t in order:
                out = curl(t.extra + ["-f", "-o", "/dev/null", "-r", f"{first}-{first + RANGE_BYTES - 1}", "-w", "%{time_starttransfer}", t.url_of("huge.bin")])
                ttfb[t.name].append(float(out) * 1000)

        # The same on one client connection per target and round (a download manager or a player seeking): one curl
        # asks for KEEPALIVE_BATCH + 1 ranges, the first (which opens the connection) is left out.
        reused = {t.name: [] for t in targets}
        for _ in range(max(1, args.ttfb_samples // KEEPALIVE_BATCH)):
            order = targets[:]
            rng.shuffle(order)
            for t in order:
                transfers = []
                for _ in range(KEEPALIVE_BATCH + 1):
                    first = (4 << 30) + rng.randrange(slots) * RANGE_BYTES
                    transfers += ["-r", f"{first}-{first + RANGE_BYTES - 1}", "-o", "/dev/null", t.url_of("huge.bin")]
                out = curl(t.extra + ["-f", "-w", "%{num_connects} %{time_starttransfer}\n"] + transfers)
                reused[t.name] += [float(line.split()[1]) * 1000 for line in out.splitlines()[1:] if line.split()[0] == "0"]

        # Throughput: the whole random file, every target once per round, the order rotated each round.
        speed = {t.name: [] for t in targets}
        cpu = {t.name: [] for t in targets}
        backend_cpu = {t.name: [] for t in targets}
        backend_pids = [s3.pid] + (rgw_pids if args.rgw else [])
        for r in range(args.runs):
            for t in targets[r % len(targets):] + targets[:r % len(targets)]:
                before = cpu_seconds(t.pid)
                before_backend = cpu_seconds(backend_pids)
                out = curl(t.extra + ["-f", "-o", "/dev/null", "-w", "%{speed_download}", t.url_of("big.bin")])
                speed[t.name].append(float(out) / (1 << 20))
                cpu[t.name].append((cpu_seconds(t.pid) - before) / (args.size_mib / 1024))
                backend_cpu[t.name].append((cpu_seconds(backend_pids) - before_backend) / (args.size_mib / 1024))

        load_after = os.getloadavg()
        print(f"\nremote storage, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(started))}, {os.cpu_count()} cores, "
              f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, {time.time() - started:.0f} s")
        for name, publish, env, extra_settings in variants:
            print(f"variant {name}: {publish} {' '.join(f'{k}={v}' for k, v in env.items())} {' '.join(extra_settings)}".rstrip())
        print(f"s3rver upload of {args.size_mib} MiB through the S3 API: {upload_seconds:.1f} s ({args.size_mib / upload_seconds:.0f} MiB/s)")
        for title, samples in (("a fresh client connection per request", ttfb), ("requests on one client connection", reused)):
            print(f"\ntime to first byte of a 64 KiB range past 4 GiB ({args.big_gib} GiB object), {title}, interleaved:")
            print(f"  {'target':<28} {'samples':>7} {'median ms':>10} {'p90 ms':>8} {'x direct (median)':>18} {'x direct (p90)':>15}")
            for t in targets:
                med, p90 = statistics.median(samples[t.name]), percentile(samples[t.name], 90)
                ratio = ""
                if t.direct:
                    ratio = f"{med / statistics.median(samples[t.direct]):>18.2f} {p90 / percentile(samples[t.direct], 90):>15.2f}"
                print(f"  {t.name:<28} {len(samples[t.name]):>7} {med:>10.2f} {p90:>8.2f} {ratio}")
        print(f"\ndownload of {args.size_mib} MiB of random bytes, {args.runs} runs each, rotated; CPU in s per GiB (median;"
              " own: the target's process tree; S3 servers: s3rver plus, with --rgw, the Ceph cluster; both nginx targets are one nginx):")
        print(f"  {'target':<28} {'MiB/s':>8} {'min':>8} {'max':>8} {'x direct':>9} {'own CPU':>8} {'S3 servers CPU':>15}")
        for t in targets:
            med = statistics.median(speed[t.name])
            ratio = f"{med / statistics.median(speed[t.direct]):>9.2f}" if t.direct else f"{'':>9}"
            own = statistics.median(cpu[t.name])
            print(f"  {t.name:<28} {med:>8.1f} {min(speed[t.name]):>8.1f} {max(speed[t.name]):>8.1f} {ratio} {own:>8.2f} {statistics.median(backend_cpu[t.name]):>15.2f}")
    finally:
        for server in reversed(servers):
            server.stop()
        for stop in rgw_stops:
            stop()
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
