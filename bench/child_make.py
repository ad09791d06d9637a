"""Run ``synthgen.make`` in a fresh interpreter and return what the benches print.

Every bench measures a real dataset written to a temporary directory (``TMPDIR``, or
``where``) by a new process, so figures include interpreter start-up, per-process caches,
encoding and disk writes. CPU is the user and system time of the child and its workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from typing import Any

CHILD = r"""
import json, resource, sys, time
import synthgen
from synthgen.config import parse_overrides

program, n, workers, out = sys.argv[1], int(float(sys.argv[2])), int(sys.argv[3]), sys.argv[4]
config = parse_overrides(sys.argv[5:])


def cpu():
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime for u in usage), sum(u.ru_stime for u in usage)


(u0, s0), t = cpu(), time.perf_counter()
m = synthgen.make(program, n=n, out=out, workers=workers, config=config)
dt, (u1, s1) = time.perf_counter() - t, cpu()
print(json.dumps({
    "n": n, "workers": workers, "seconds": dt, "records": m.totals.accepted,
    "candidates": m.totals.candidates, "rejected": m.totals.rejected,
    "rejects": m.totals.rejects_by_reason, "media_bytes": m.totals.media_bytes,
    "timings": m.timings, "user_s": u1 - u0, "sys_s": s1 - s0,
    "main_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""

WORKER_STAGES = ("generate", "encode", "write", "sync")
"""Engine stages whose sum is a record's worker time ("generate" holds the program's own)."""


def make_in_child(
    program: str, n: float, workers: int, sets: list[str] | None = None, where: str | None = None
) -> dict[str, Any]:
    """Make ``n`` records of ``program`` with ``--set`` overrides ``sets``; the child's figures
    plus ``disk_bytes`` (the dataset's size on disk) and ``cpu_s`` (user + system)."""
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        args = [program, str(n), str(workers), tmp + "/ds", *(sets or [])]
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, *args],
            capture_output=True,
            text=True,
            check=True,
        )
        du = subprocess.run(["du", "-sb", tmp + "/ds"], capture_output=True, text=True)
    result: dict[str, Any] = json.loads(proc.stdout)
    result["disk_bytes"] = int(du.stdout.split()[0]) if du.returncode == 0 else -1
    result["cpu_s"] = result["user_s"] + result["sys_s"]
    result["worker_s"] = sum(result["timings"].get(k, 0.0) for k in WORKER_STAGES)
    return result
