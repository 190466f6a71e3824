"""N concurrent HTTP/1.1 downloads, each read at a fixed rate (or as fast as it comes, --rate 0) for a fixed time, then closed.

Prints one JSON object: how many clients got a 200 and received at least 90 % of rate x duration, and per download
the rate it was served at after its first second (received bytes / elapsed, both counted from one second after its
response headers), so that connection set-up and a full first bucket do not count. It also reports what this client
process itself cost (CPU seconds, and how late its event loop woke up), so that a client falling behind on a busy
machine is not mistaken for a server that cannot keep its downloads at rate.
Every wait is bounded: connect, headers and the whole run have time limits.
"""
import argparse
import asyncio
import json
import resource
import selectors
import socket
import time


def raise_open_files():
    """One socket per download: lift the soft limit on open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def one_reader(host, port, path, rate, duration, granularity, skip):
    loop = asyncio.get_running_loop()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=64 * 1024), 10)
    except (OSError, asyncio.TimeoutError):
        return {"status": 0, "bytes": 0, "rate": 0.0}
    start = loop.time()
    got = 0
    status = 0
    # The measuring window opens `skip` seconds after the response headers and closes at the last byte received.
    window_start, window_bytes, last = None, 0, None
    headers_at = None
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), duration)
        headers_at = loop.time()
        status = int(head.split(b" ", 2)[1])
        while True:
            now = loop.time()
            elapsed = now - start
            if elapsed >= duration:
                break
            if rate > 0:
                allowed = rate * elapsed - got
                if allowed < rate * granularity / 2:
                    await asyncio.sleep(min(granularity, duration - elapsed))
                    continue
                wanted = int(min(allowed, 256 * 1024))
            else:
                wanted = 256 * 1024
            chunk = await asyncio.wait_for(reader.read(wanted), duration - elapsed + 1)
            if not chunk:
                break
            got += len(chunk)
            last = loop.time()
            if window_start is None and last - headers_at >= skip:
                window_start, window_bytes = last, got
    except (OSError, ValueError, IndexError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()
    served = 0.0
    if window_start is not None and last is not None and last > window_start:
        served = (got - window_bytes) / (last - window_start)
    return {"status": status, "bytes": got, "rate": served}


def fast_readers(host, port, path, clients, duration, skip, tick=0.05):
    """--rate 0: every download read as fast as it comes, from one selector loop with recv_into a reused buffer
    (about a fifth of the CPU per read of asyncio streams), so that the client stays ahead of the server that
    throttles. Returns the per-download results and the loop's lags (how late it passed each 50 ms mark)."""
    selector = selectors.DefaultSelector()
    buffer = bytearray(256 * 1024)
    view = memoryview(buffer)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
    states = []
    started = time.monotonic()
    for _ in range(clients):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex((host, port))
        state = {"sock": sock, "start": None, "head": b"", "status": 0, "bytes": 0, "headers_at": None,
                 "window_start": None, "window_bytes": 0, "last": None, "open": True}
        states.append(state)
        selector.register(sock, selectors.EVENT_WRITE, state)
    lags = []
    deadline = started + tick
    open_count = clients
    while open_count > 0:
        now = time.monotonic()
        if now >= deadline:
            lags.append(now - deadline)
            deadline = now + tick
            # Downloads that receive nothing are still closed on time (checked at each mark, not each read).
            for state in states:
                if state["open"] and now - (state["start"] or started) >= duration + (0 if state["start"] else 10):
                    selector.unregister(state["sock"])
                    state["sock"].close()
                    state["open"] = False
                    open_count -= 1
        if now - started >= duration + 10:
            break
        for key, events in selector.select(max(0.0, deadline - now)):
            state = key.data
            sock = state["sock"]
            now = time.monotonic()
            try:
                if events & selectors.EVENT_WRITE:
                    # Connected (or failed: the send raises). One small request, sent whole.
                    sock.send(request)
                    state["start"] = now
                    selector.modify(sock, selectors.EVENT_READ, state)
                    continue
                n = sock.recv_into(buffer)
            except OSError:
                n = 0
            if n and state["headers_at"] is None:
                state["head"] += bytes(view[:n])
                end = state["head"].find(b"\r\n\r\n")
                if end < 0:
                    if len(state["head"]) > 64 * 1024:
                        n = 0
                    else:
                        continue
                else:
                    state["status"] = int(state["head"].split(b" ", 2)[1])
                    state["headers_at"] = now
                    n = len(state["head"]) - end - 4
                    state["head"] = b""
            if n:
                state["bytes"] += n
                state["last"] = now
                if state["window_start"] is None and now - state["headers_at"] >= skip:
                    state["window_start"], state["window_bytes"] = now, state["bytes"]
            # Closed by the server, failed, or this download's time is up.
            if not n or (state["start"] is not None and now - state["start"] >= duration):
                selector.unregister(sock)
                sock.close()
                state["open"] = False
                open_count -= 1
    for state in states:
        if state["open"]:
            selector.unregister(state["sock"])
            state["sock"].close()
    selector.close()
    results = []
    for state in states:
        served = 0.0
        if state["window_start"] is not None and state["last"] > state["window_start"]:
            served = (state["bytes"] - state["window_bytes"]) / (state["last"] - state["window_start"])
        results.append({"status": state["status"], "bytes": state["bytes"], "rate": served})
    return results, lags


def paced_readers(host, port, path, clients, rate, duration, skip, ramp, tick=0.25):
    """--paced: every download read at `rate` from one selector loop, for thousands of downloads per process. The
    connections open evenly over `ramp` seconds (a listen backlog of a few hundred takes a burst of thousands badly);
    each runs `duration` seconds from its own connect. Every `tick` each open download reads what its rate allows
    so far, with recv_into a reused buffer: about one system call per download and tick, where asyncio streams cost
    a timer, a future and a read each. Returns the per-download results, the loop's lags (how late it woke up for
    each tick) and how many reads found less than their rate allowed (the server behind)."""
    selector = selectors.DefaultSelector()
    buffer = bytearray(256 * 1024)
    view = memoryview(buffer)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
    states, body, lags = [], [], []
    short_reads = 0
    started = time.monotonic()
    next_tick = started + tick
    opened = 0

    def close(state):
        if state["open"]:
            if state["registered"]:
                selector.unregister(state["sock"])
            state["sock"].close()
            state["open"] = False

    while True:
        now = time.monotonic()
        while opened < clients and started + ramp * opened / clients <= now:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex((host, port))
            state = {"sock": sock, "start": now, "head": b"", "status": 0, "bytes": 0, "headers_at": None,
                     "window_start": None, "window_bytes": 0, "last": None, "open": True, "registered": True, "sent": False}
            states.append(state)
            selector.register(sock, selectors.EVENT_WRITE, state)
            opened += 1
        if now >= next_tick:
            lags.append(now - next_tick)
            next_tick = max(next_tick + tick, now)
            for state in body:
                if not state["open"]:
                    continue
                allowed = int(rate * (now - state["headers_at"])) - state["bytes"]
                closed = False
                while allowed > 0:
                    try:
                        n = state["sock"].recv_into(view[:min(allowed, len(buffer))])
                    except BlockingIOError:
                        short_reads += 1
                        break
                    except OSError:
                        n = 0
                    if n == 0:
                        closed = True
                        break
                    state["bytes"] += n
                    state["last"] = now
                    allowed -= n
                if state["window_start"] is None and state["last"] is not None and now - state["headers_at"] >= skip:
                    state["window_start"], state["window_bytes"] = now, state["bytes"]
                if closed or now - state["start"] >= duration:
                    close(state)
            body = [s for s in body if s["open"]]
            # Downloads without headers yet are closed on time too.
            for state in states:
                if state["open"] and state["headers_at"] is None and now - state["start"] >= duration:
                    close(state)
        if opened == clients and not any(s["open"] for s in states):
            break
        if now - started >= ramp + duration + 10:
            break
        wake = next_tick if opened == clients else min(next_tick, started + ramp * opened / clients)
        for key, _ in selector.select(max(0.0, wake - time.monotonic())):
            state = key.data
            sock = state["sock"]
            try:
                if not state["sent"]:
                    # Connected (or failed: the send raises). One small request, sent whole.
                    sock.send(request)
                    state["sent"] = True
                    selector.modify(sock, selectors.EVENT_READ, state)
                    continue
                # The response head only: at most 4 KiB, so that the body is read at the rate from the start.
                n = sock.recv_into(view[:4096])
            except OSError:
                n = 0
            if n == 0:
                close(state)
                continue
            state["head"] += bytes(view[:n])
            end = state["head"].find(b"\r\n\r\n")
            if end < 0:
                if len(state["head"]) > 64 * 1024:
                    close(state)
                continue
            try:
                state["status"] = int(state["head"].split(b" ", 2)[1])
            except (IndexError, ValueError):
                close(state)
                continue
            state["headers_at"] = time.monotonic()
            state["bytes"] = len(state["head"]) - end - 4
            state["head"] = b""
            selector.unregister(sock)
            state["registered"] = False
            body.append(state)
    for state in states:
        close(state)
    selector.close()
    results = []
    for state in states:
        served = 0.0
        if state["window_start"] is not None and state["last"] is not None and state["last"] > state["window_start"]:
            served = (state["bytes"] - state["window_bytes"]) / (state["last"] - state["window_start"])
        results.append({"status": state["status"], "bytes": state["bytes"], "rate": served})
    return results, lags, short_reads


async def watch_loop(stop, lags, interval=0.05):
    """How late the event loop wakes up: a client that is behind shows it here before the rates do."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(interval)
        lags.append(loop.time() - before - interval)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=int, default=200 * 1024, help="bytes per second per client; 0: read as fast as it comes")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--skip", type=float, default=1.0, help="seconds after the headers left out of each download's served rate")
    parser.add_argument("--rates", action="store_true", help="also print every download's served rate (bytes per second)")
    parser.add_argument("--paced", action="store_true",
                        help="read at --rate from one selector loop (thousands of downloads per process) instead of a task per download")
    parser.add_argument("--ramp", type=float, default=0.0, help="--paced: seconds over which the connections open")
    args = parser.parse_args()
    raise_open_files()

    short_reads = None
    if args.rate == 0:
        results, lags = fast_readers(args.host, args.port, args.path, args.clients, args.seconds, args.skip)
    elif args.paced:
        results, lags, short_reads = paced_readers(args.host, args.port, args.path, args.clients, args.rate, args.seconds, args.skip, args.ramp)
    else:
        stop, lags = asyncio.Event(), []
        watcher = asyncio.create_task(watch_loop(stop, lags))
        tasks = [one_reader(args.host, args.port, args.path, args.rate, args.seconds, 0.2, args.skip) for _ in range(args.clients)]
        results = await asyncio.wait_for(asyncio.gather(*tasks), args.seconds + 30)
        stop.set()
        await watcher
    usage = resource.getrusage(resource.RUSAGE_SELF)
    lags.sort()
    wanted = 0.9 * args.rate * args.seconds
    at_rate = sum(1 for r in results if r["status"] == 200 and r["bytes"] >= wanted)
    report = {
        "clients": args.clients,
        "served_at_rate": at_rate,
        "ok_status": sum(1 for r in results if r["status"] == 200),
        "mean_kib_per_s": sum(r["bytes"] for r in results) / len(results) / args.seconds / 1024,
        "client_cpu_s": usage.ru_utime + usage.ru_stime,
        "loop_lag_p99_ms": 1000 * lags[int(0.99 * (len(lags) - 1))] if lags else 0.0,
        "loop_lag_max_ms": 1000 * lags[-1] if lags else 0.0,
    }
    if short_reads is not None:
        report["short_reads"] = short_reads
    if args.rates:
        report["rates"] = [r["rate"] if r["status"] == 200 else 0.0 for r in results]
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
