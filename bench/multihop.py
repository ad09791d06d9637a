"""multihop throughput and memory: records/s on 1 and 2 workers, and peak RSS.

Each run is a fresh interpreter writing a real dataset (rendered scenes, tables and charts as
PNG, JSONL with documents, programs and chains) to a temporary directory, so the figures
include image rendering, the oracle checks, encoding and disk writes.

    python bench/multihop.py                # n = 4000, workers 1 and 2
    python bench/multihop.py --n 1e4 --workers 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
import synthgen
n, workers, out = int(float(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
m = synthgen.make("multihop", n=n, out=out, workers=workers)
dt = time.perf_counter() - t
print(json.dumps({"n": n, "seconds": dt, "records": m.totals.accepted,
                  "rejects": m.totals.rejects_by_reason, "media_bytes": m.totals.media_bytes,
                  "timings": m.timings,
                  "main_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run(n: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(workers), tmp + "/ds"],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="4000")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    for workers in args.workers:
        r = run(float(args.n), workers)
        rate = r["records"] / r["seconds"]
        stages = ", ".join(f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items())
        print(
            f"multihop n={r['n']} workers={workers}: {r['seconds']:.1f}s, {rate:,.0f} rec/s "
            f"(ms/record: {stages}); rejects {r['rejects']}; media "
            f"{r['media_bytes'] / r['records'] / 1024:.1f} KiB/record; peak RSS main "
            f"{r['main_rss_mib']:.0f} MiB, worker {r['worker_rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
