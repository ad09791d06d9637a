"""edit throughput and memory: triplets/s on 1 and 2 workers, and peak RSS.

Each run is a fresh interpreter writing a real dataset (source and target PNG, mask PNG,
JSONL records) to a temporary directory, so the figures include rendering both images,
masks, oracle checks, PNG encoding and disk writes. Default n keeps the whole run under a
minute on a laptop.

    python bench/edit.py                 # n = 3000, workers 1 and 2
    python bench/edit.py --n 2e4 --workers 2
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
m = synthgen.make("edit", n=n, out=out, workers=workers)
dt = time.perf_counter() - t
print(json.dumps({"n": n, "workers": workers, "seconds": dt, "records": m.totals.accepted,
                  "rejected": m.totals.rejected, "rejects": m.totals.rejects_by_reason,
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
        du = subprocess.run(["du", "-sb", tmp + "/ds"], capture_output=True, text=True)
    result = json.loads(proc.stdout)
    result["disk_bytes"] = int(du.stdout.split()[0]) if du.returncode == 0 else -1
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="3000")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    for workers in args.workers:
        r = run(float(args.n), workers)
        rate = r["records"] / r["seconds"]
        stages = ", ".join(f"{k} {1000 * v / r['records']:.2f}" for k, v in r["timings"].items())
        print(
            f"edit n={r['n']} workers={workers}: {r['seconds']:.1f}s, {rate:,.0f} triplets/s "
            f"(ms/triplet of worker time: {stages}); rejected {r['rejected']} {r['rejects']}; "
            f"disk {r['disk_bytes'] / r['records'] / 1024:.1f} KiB/triplet; peak RSS main "
            f"{r['main_rss_mib']:.0f} MiB, worker {r['worker_rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
