"""Engine overhead: records/s of the no-op program on 1 and 2 workers, and peak RSS.

Each run happens in a fresh interpreter so peak RSS is its own: ``main`` is the driver
process, ``worker`` the largest worker process. Peak RSS must stay flat from n=1e4 to 1e5.

    python bench/engine.py            # n = 1e4 and 1e5, 1 and 2 workers
    python bench/engine.py --quick    # n = 1e4 only
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
import synthgen
n, workers, out = int(float(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
m = synthgen.make("noop", n=n, out=out, workers=workers)
dt = time.perf_counter() - t
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"n": n, "workers": workers, "seconds": dt, "records": m.totals.accepted,
                  "main_rss_mib": self_kb / 1024, "worker_rss_mib": kids_kb / 1024}))
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
    sizes = [1e4] if "--quick" in sys.argv else [1e4, 1e5]
    print(f"{'n':>8} {'workers':>7} {'seconds':>8} {'rec/s':>9} {'main RSS':>9} {'worker RSS':>10}")
    for n in sizes:
        for workers in (1, 2):
            r = run(n, workers)
            rate = r["records"] / r["seconds"]
            print(
                f"{r['n']:>8} {workers:>7} {r['seconds']:>8.2f} {rate:>9,.0f}"
                f" {r['main_rss_mib']:>7.0f}Mi {r['worker_rss_mib']:>8.0f}Mi"
            )


if __name__ == "__main__":
    main()
