"""Starting and stopping the servers under test, each as our own child process on a free loopback port."""
import os
import re
import socket
import subprocess
import time
import urllib.request

_NGINX_CONF = """daemon off;
master_process on;
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_rlimit_nofile {nofile};
events {{ worker_connections {connections}; }}
http {{
    access_log off;
    sendfile on;
    # tcp_nopush (TCP_CORK) stays off, nginx's default: with it, keep-alive 64 KiB range answers on loopback
    # stall ~40 ms each here (29 req/s on one connection instead of ~13,000).
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
}}
"""


# nginx in front of a gateway of its own, with the repository's own locations (nginx/largefilegateway/), as a user
# deploys them: the upstream block mirrors nginx/largefilegateway.conf (least_conn, keepalive 32), the client side
# has the settings of the nginx-alone server above, so the two differ only by the gateway behind. With the gateway
# in offload mode (Gateway:Offload:Mode=NginxAccelRedirect) nginx sends the bytes from the internal location.
# {upstream_extra} and {server_extra} take the directives of a configuration variant (--front-variant).
_FRONT_CONF = """daemon off;
master_process on;
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_rlimit_nofile {nofile};
events {{ worker_connections {connections}; }}
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
    upstream largefilegateway {{
        least_conn;
        server 127.0.0.1:{gateway_port} max_fails=3 fail_timeout=10s;
        {upstream_extra}
    }}
    server {{
        listen 127.0.0.1:{port};
        {server_extra}
        include {config}/locations.conf;
        location /_protected/ {{
            alias {root}/;
            include {config}/protected.conf;
        }}
    }}
}}
"""

# What nginx/largefilegateway.conf puts in its upstream block after the servers.
UPSTREAM_KEEPALIVE = "keepalive 32; keepalive_timeout 60s;"

_REPO_NGINX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "nginx", "largefilegateway")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, argv, path_prefix, port, log_path, env=None):
        self.name = name
        self.argv = argv
        self.path_prefix = path_prefix
        self.port = port
        self.log_path = log_path
        self.env = env
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid

    def url(self, file_name):
        return f"http://127.0.0.1:{self.port}{self.path_prefix}{file_name}"

    def path(self, file_name):
        return f"{self.path_prefix}{file_name}"

    def start(self, probe_file, timeout=60, extra_env=None):
        log = open(self.log_path, "wb")
        env = dict(os.environ, **(self.env or {}), **(extra_env or {}))
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                request = urllib.request.Request(self.url(probe_file), headers={"Range": "bytes=0-0"})
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status in (200, 206):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout} s; see {self.log_path}")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # SIGTERM to our own child's pid only; nginx passes it on to its workers.
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


class BehindNginx:
    """nginx in front of a gateway: one server of two processes. pid is the pair, so every figure the harness takes
    from /proc (CPU, RSS, threads) is their sum; parts names each one for the figures of each part."""

    kind = "gateway"

    def __init__(self, name, front, gateway_server):
        self.name = name
        self.front = front
        self.gateway = gateway_server
        self.port = front.port
        self.path_prefix = front.path_prefix

    @property
    def pid(self):
        return (self.front.pid, self.gateway.pid)

    @property
    def parts(self):
        return {"nginx": self.front.pid, "gateway": self.gateway.pid}

    def url(self, file_name):
        return self.front.url(file_name)

    def path(self, file_name):
        return self.front.path(file_name)

    def start(self, probe_file, timeout=60, extra_env=None):
        self.gateway.start(probe_file, timeout, extra_env)
        try:
            # The probe goes through nginx to the gateway (and, offloading, back to nginx's internal location).
            self.front.start(probe_file, timeout)
        except Exception:
            self.gateway.stop()
            raise

    def stop(self):
        self.front.stop()
        self.gateway.stop()


def prometheus_samples(port, names, timeout=10):
    """(name, labels, value) of every sample on a gateway's /metrics (Prometheus text) whose metric name starts with
    one of `names` (regular expressions); name is the matched prefix, labels the braces' text or "". Raises OSError
    when /metrics does not answer."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as response:
        text = response.read().decode()
    pattern = re.compile(r"^(" + "|".join(names) + r")\w*(\{[^}]*\})?\s+(\S+)")
    return [(m.group(1), m.group(2) or "", float(m.group(3))) for m in map(pattern.match, text.splitlines()) if m]


def gateway(publish, data, logs, name="gateway", extra_env=None, folder="gateway"):
    port = free_port()
    argv = [os.path.join(publish, folder, "LargeFileGateway"), "--urls", f"http://127.0.0.1:{port}", "--root", data]
    # Per-request Information logs off for every .NET server (nginx runs with access_log off).
    env = {"Logging__LogLevel__Default": "Warning", **(extra_env or {})}
    server = Server(name, argv, "/files/", port, os.path.join(logs, f"{name}.log"), env)
    server.kind = "gateway"
    return server


def aspnet_baseline(name, publish, data, logs, prefix, folder="baselines"):
    port = free_port()
    argv = [os.path.join(publish, folder, "LargeFileGateway.Baselines"), "--urls", f"http://127.0.0.1:{port}", "--root", data]
    env = {"Logging__LogLevel__Default": "Warning"}
    return Server(name, argv, prefix, port, os.path.join(logs, f"{name}.log"), env)


def nginx(work, data, logs, connections=4096):
    """connections: per worker. nginx allocates and touches its connection table at start (about 0.4 KiB each), so
    it is raised only for runs that need it (slowscale), and the other measurements keep nginx's usual footprint."""
    port = free_port()
    prefix = os.path.join(work, "nginx")
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(_NGINX_CONF.format(prefix=prefix, port=port, root=data, connections=connections, nofile=2 * connections + 100))
    argv = ["nginx", "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "error.log")]
    return Server("nginx", argv, "/files/", port, os.path.join(logs, "nginx.log"))


def nginx_front(name, work, publish, data, logs, offload, upstream_extra=UPSTREAM_KEEPALIVE, server_extra="", connections=4096):
    """nginx with the repository's locations in front of a gateway of its own (offload: the gateway answers with
    X-Accel-Redirect and nginx sends the file). The gateway trusts loopback as its proxy by default, which makes
    the requests from this nginx eligible for offload."""
    env = {"Gateway__Offload__Mode": "NginxAccelRedirect"} if offload else {}
    behind = gateway(publish, data, logs, f"{name}.gateway", env)
    port = free_port()
    prefix = os.path.join(work, name)
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(_FRONT_CONF.format(prefix=prefix, port=port, root=data, connections=connections, nofile=4 * connections + 100,
                                   gateway_port=behind.port, config=os.path.abspath(_REPO_NGINX),
                                   upstream_extra=upstream_extra, server_extra=server_extra))
    argv = ["nginx", "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "error.log")]
    front = Server(f"{name}.nginx", argv, "/files/", port, os.path.join(logs, f"{name}.nginx.log"))
    return BehindNginx(name, front, behind)
