"""Time of ``synthgen replay DIR ID`` for one record, as a user runs it (issue #16: "one
record replays in well under a second"; the goal of stop 23: audiocaps <= 0.6 s wall, svg
<= 0.5 s, median of 5 on a quiet machine).

For each program, makes a small dataset once (in a temporary folder), then runs
``python -m synthgen replay`` in fresh interpreters and prints, per program, every run's wall
seconds and user+system CPU seconds (``RUSAGE_CHILDREN``: less inflated than wall time when
other work shares the machine), with the median and the minimum, and the load average before
and after (measure on a quiet machine; on a busy one compare CPU, and alternate programs, as
this does).

Two settings of byte-compiled modules:

- ``pyc``: a user's install, where every module was byte-compiled once (the warm-up replay
  writes them, into a temporary ``PYTHONPYCACHEPREFIX``: the repository is not written);
- ``source``: ``PYTHONDONTWRITEBYTECODE=1`` and no ``.pyc`` of synthgen's own modules (this
  repository's development machines): every run compiles them again, 0.1-0.15 s more;
  installed libraries keep their ``.pyc``.

The per-machine cache (``$SYNTHGEN_CACHE_DIR``: QA calibration tables, decoded sprite sheets,
the sound world's noise tables and presence rates) is the user's own, filled by the warm-up;
``--cold`` also times one replay with an empty cache folder. ``--phases`` prints where one
in-process replay spends its CPU.

    python bench/replay.py                               # audiocaps and svg, 5 runs each
    python bench/replay.py --programs edit --runs 3 --phases
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent
"""The repository (synthgen, generators, filters, prompts)."""

PHASES = r"""
import sys, time
t0 = time.process_time()
laps = []
def lap(name, t=[t0]):
    now = time.process_time(); laps.append((name, now - t[0])); t[0] = now
import click, numpy, PIL.Image, pydantic
lap("click, numpy, PIL, pydantic")
import synthgen.cli, synthgen.replay
lap("synthgen.cli + synthgen.replay (produce, models, sinks)")
from synthgen.program import programs
programs.get(sys.argv[3])
lap("the program registry (imports the replayed program only)")
r = synthgen.replay.replay(sys.argv[1], sys.argv[2])
lap("replay (identical=%s)" % r.identical)
for name, dt in laps:
    print(f"  {dt:6.3f} s  {name}")
print(f"  {time.process_time() - t0:6.3f} s  in-process total (interpreter start not counted)")
"""


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, user+sys CPU s) of one child process; it must say "identical"."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "identical" not in done.stdout:
        raise SystemExit(f"replay failed: {done.stdout}{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", default="audiocaps,svg", help="comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modes", default="pyc,source", help="pyc, source or both")
    parser.add_argument("--cold", action="store_true", help="also one replay, empty cache")
    parser.add_argument("--phases", action="store_true", help="CPU per phase, in-process")
    args = parser.parse_args()
    programs = [p for p in args.programs.split(",") if p]
    modes = [m for m in args.modes.split(",") if m]
    base = dict(os.environ, HF_HUB_OFFLINE="1")
    for var in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
        base.pop(var, None)
    with tempfile.TemporaryDirectory() as tmp:
        envs = {}
        for mode in modes:
            if mode == "pyc":
                envs[mode] = dict(base, PYTHONPYCACHEPREFIX=str(Path(tmp) / "pyc"))
            elif mode == "source":
                envs[mode] = dict(base, PYTHONDONTWRITEBYTECODE="1")
                kept = [p for p in SOURCES.rglob("__pycache__") if any(p.glob("*.pyc"))]
                if kept:
                    print(f"note: {len(kept)} __pycache__ folders under {SOURCES} are read")
            else:
                raise SystemExit(f"unknown mode {mode!r}: pyc or source")
        replays: dict[str, list[str]] = {}
        for program in programs:
            out = Path(tmp) / program
            make = [sys.executable, "-m", "synthgen", "make", program, "--n", "2"]
            make += ["--out", str(out), "--workers", "1"]
            made = dict(base, PYTHONPYCACHEPREFIX=str(Path(tmp) / "pyc-make"))
            subprocess.run(make, check=True, env=made, capture_output=True)
            first = json.loads((out / "data" / "shard-00000.jsonl").read_text().splitlines()[0])
            replays[program] = [sys.executable, "-m", "synthgen", "replay", str(out), first["id"]]
        cold: dict[str, float] = {}
        for program, cmd in replays.items():
            for env in envs.values():
                _timed(cmd, env)  # warm-up: caches, byte-compiled modules (pyc mode)
            if args.cold:
                empty = str(Path(tmp) / f"cache-{program}")
                cold[program] = _timed(cmd, dict(envs[modes[0]], SYNTHGEN_CACHE_DIR=empty))[0]
        print(f"load average before: {_load()}")
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _ in range(args.runs):  # alternate, so drifting load hits every case alike
            for program, cmd in replays.items():
                for mode, env in envs.items():
                    results.setdefault((program, mode), []).append(_timed(cmd, env))
        print(f"load average after:  {_load()}")
        print(f"replay of one record, {args.runs} runs each, fresh interpreter per run")
        for (program, mode), runs in results.items():
            walls = [w for w, _ in runs]
            cpus = [c for _, c in runs]
            print(
                f"  {program:10} {mode:6}  wall median {statistics.median(walls):.2f} s"
                f" (min {min(walls):.2f})   cpu median {statistics.median(cpus):.2f} s"
                f" (min {min(cpus):.2f})"
            )
            print("    wall: " + " ".join(f"{w:.2f}" for w in walls))
            print("    cpu:  " + " ".join(f"{c:.2f}" for c in cpus))
        for program, seconds in cold.items():
            print(f"  {program:10} one replay with an empty cache folder: {seconds:.2f} s wall")
        if args.phases:
            for program, cmd in replays.items():
                print(f"where one {program} replay's CPU goes (time.process_time, one process):")
                phases = [sys.executable, "-c", PHASES, cmd[-2], cmd[-1], program]
                subprocess.run(phases, check=True, env=envs[modes[0]])


if __name__ == "__main__":
    main()
