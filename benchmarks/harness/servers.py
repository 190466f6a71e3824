"""Starting and stopping the servers under test, each as our own child process on a free loopback port."""
import os
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


def gateway(publish, data, logs, name="gateway", extra_env=None, folder="gateway"):
    port = free_port()
    argv = [os.path.join(publish, folder, "LargeFileGateway"), "--urls", f"http://127.0.0.1:{port}", "--root", data]
    # Per-request Information logs off for every .NET server (nginx runs with access_log off).
    env = {"Logging__LogLevel__Default": "Warning", **(extra_env or {})}
    server = Server(name, argv, "/files/", port, os.path.join(logs, f"{name}.log"), env)
    server.kind = "gateway"
    return server


def aspnet_baseline(name, publish, data, logs, prefix):
    port = free_port()
    argv = [os.path.join(publish, "baselines", "LargeFileGateway.Baselines"), "--urls", f"http://127.0.0.1:{port}", "--root", data]
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
