"""PNG deflate choices on svg renders: ms per image and bytes per image, one core.

    python bench/png_deflate.py [--n 256] [--repeat 5]

The IDAT stream is what ``fast_png`` deflates (filter type 0 on every row), built from the
svg world's default renders (320x240 RGB, seeds 0..n-1). Each deflate that is installed is
timed on the same streams: libdeflate (``deflate``, what the png encoder uses), stdlib zlib,
zlib-ng (``zlib-ng``) and ISA-L (``isal``); missing packages are skipped. Figures are CPU
time (process_time), the median over --repeat passes. ``same`` says whether two passes gave
identical bytes for every image (one process only: a smoke check, not the determinism
test, which is tests/engine/test_png_determinism.py). Figures only; no assertions.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import time
import zlib
from collections.abc import Callable

import numpy as np

from synthgen.world import WorldConfig, sample_rendered_scenes
from synthgen.world.render import PillowRenderer


def idat_streams(n: int) -> list[bytes]:
    """Filtered scanlines (filter byte 0 + pixels) of n default svg renders."""
    renderer = PillowRenderer()
    made = sample_rendered_scenes(
        [np.random.default_rng(i) for i in range(n)], WorldConfig(), renderer
    )
    out = []
    for _scene, rendering in made:
        image = rendering.image
        rows = np.asarray(image, dtype=np.uint8).reshape(image.height, -1)
        raw = np.zeros((image.height, rows.shape[1] + 1), dtype=np.uint8)
        raw[:, 1:] = rows
        out.append(raw.tobytes())
    return out


def candidates() -> list[tuple[str, Callable[[bytes], bytes]]]:
    found: list[tuple[str, Callable[[bytes], bytes]]] = []

    def optional(module: str) -> object | None:
        try:
            return importlib.import_module(module)
        except ImportError:
            print(f"  ({module} not installed: skipped)")
            return None

    lib = optional("deflate")
    if lib is not None:
        for level in (1, 2, 3, 4, 6):
            found.append(
                (f"libdeflate {level}", lambda b, lv=level: bytes(lib.zlib_compress(b, lv)))
            )
    for level in (1, 6):
        found.append((f"zlib {level}", lambda b, lv=level: zlib.compress(b, lv)))
    ng = optional("zlib_ng.zlib_ng")
    if ng is not None:
        for level in (1, 6):
            found.append((f"zlib-ng {level}", lambda b, lv=level: ng.compress(b, lv)))
    isal = optional("isal.isal_zlib")
    if isal is not None:
        for level in (0, 1, 2):
            found.append((f"isal {level}", lambda b, lv=level: isal.compress(b, lv)))
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    streams = idat_streams(args.n)
    raw_bytes = sum(map(len, streams)) / len(streams)
    print(
        f"png deflate bench: {len(streams)} svg renders (320x240 RGB, {raw_bytes / 1024:.0f} KiB "
        f"raw), CPU ms per image (median of {args.repeat}), one core"
    )
    for label, fn in candidates():
        times = []
        first = [fn(s) for s in streams]  # warm-up, and the reference bytes
        same = True
        for _ in range(args.repeat):
            a = time.process_time()
            out = [fn(s) for s in streams]
            times.append(time.process_time() - a)
            same = same and out == first
        size = sum(map(len, first)) / len(first)
        print(
            f"  {label:14s}{1e3 * statistics.median(times) / len(streams):7.3f} ms"
            f"{size / 1024:8.1f} KiB  ({size:,.0f} B){'' if same else '  DIFFERENT BYTES'}"
        )


if __name__ == "__main__":
    main()
