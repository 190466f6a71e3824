"""Seeded, incompressible benchmark files: the same bytes on every machine, generated once and reused."""
import os
import random

MIB = 1 << 20
GIB = 1 << 30
SEED = 20260101
_STEP = 4 * MIB


def _name(size):
    return f"bench-{size // MIB}m.bin" if size < GIB else f"bench-{size // GIB}g.bin"


def _first_block(size):
    return random.Random(SEED + size).randbytes(min(_STEP, size))[:64]


def ensure(folder, size):
    """Returns the file name of a seeded file of `size` bytes in `folder`, writing it only when missing or wrong."""
    os.makedirs(folder, exist_ok=True)
    name = _name(size)
    path = os.path.join(folder, name)
    if os.path.exists(path) and os.path.getsize(path) == size:
        with open(path, "rb") as existing:
            if existing.read(64) == _first_block(size):
                return name
    print(f"  generating {name} ({size / GIB:.2f} GiB, seed {SEED + size})", flush=True)
    rng = random.Random(SEED + size)
    partial = path + ".partial"
    with open(partial, "wb") as out:
        left = size
        while left > 0:
            n = min(_STEP, left)
            out.write(rng.randbytes(n))
            left -= n
    os.replace(partial, path)
    return name


def warm(folder, name):
    """Reads a file once so that every server is measured from the page cache, not the disk."""
    with open(os.path.join(folder, name), "rb", buffering=0) as f:
        buf = bytearray(4 * MIB)
        while f.readinto(buf):
            pass
