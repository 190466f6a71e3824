"""N concurrent HTTP/1.1 downloads, each read at a fixed rate for a fixed time, then closed.

Prints one JSON object: how many clients got a 200 and received at least 90 % of rate x duration.
Every wait is bounded: connect, headers and the whole run have time limits.
"""
import argparse
import asyncio
import json


async def one_reader(host, port, path, rate, duration, granularity):
    loop = asyncio.get_running_loop()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=64 * 1024), 10)
    except (OSError, asyncio.TimeoutError):
        return {"status": 0, "bytes": 0}
    start = loop.time()
    got = 0
    status = 0
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), duration)
        status = int(head.split(b" ", 2)[1])
        while True:
            elapsed = loop.time() - start
            if elapsed >= duration:
                break
            allowed = rate * elapsed - got
            if allowed < rate * granularity / 2:
                await asyncio.sleep(min(granularity, duration - elapsed))
                continue
            chunk = await asyncio.wait_for(reader.read(int(min(allowed, 256 * 1024))), duration - elapsed + 1)
            if not chunk:
                break
            got += len(chunk)
    except (OSError, ValueError, IndexError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()
    return {"status": status, "bytes": got}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=int, default=200 * 1024, help="bytes per second per client")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    tasks = [one_reader(args.host, args.port, args.path, args.rate, args.seconds, 0.2) for _ in range(args.clients)]
    results = await asyncio.wait_for(asyncio.gather(*tasks), args.seconds + 30)
    wanted = 0.9 * args.rate * args.seconds
    at_rate = sum(1 for r in results if r["status"] == 200 and r["bytes"] >= wanted)
    print(json.dumps({
        "clients": args.clients,
        "served_at_rate": at_rate,
        "ok_status": sum(1 for r in results if r["status"] == 200),
        "mean_kib_per_s": sum(r["bytes"] for r in results) / len(results) / args.seconds / 1024,
    }))


if __name__ == "__main__":
    asyncio.run(main())
