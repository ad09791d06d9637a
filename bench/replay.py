"""CPU time of ``synthgen replay DIR ID`` for one record, as a user runs it (issue #16: "one
record replays in well under a second").

Makes a small dataset of PROGRAM once (in a temporary folder), replays one record once to warm
the per-machine caches (QA calibration tables, decoded sprite sheets, byte-compiled modules),
then runs ``python -m synthgen replay`` --runs times, each in a fresh interpreter, and prints
each run's user+system CPU seconds (from ``RUSAGE_CHILDREN``, so other load on the machine
inflates it less than wall time) and the minimum and median. Then prints where one in-process
replay spends its CPU: interpreter-level imports, synthgen's, the program's, the atlas and the
replay itself.

    python bench/replay.py                      # svg, 5 runs
    python bench/replay.py --program edit --runs 3
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
from pathlib import Path

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
from synthgen.world.sprites.atlas import load_atlas
load_atlas()
lap("sprite atlas")
r = synthgen.replay.replay(sys.argv[1], sys.argv[2])
lap("replay (identical=%s)" % r.identical)
for name, dt in laps:
    print(f"  {dt:6.3f} s  {name}")
print(f"  {time.process_time() - t0:6.3f} s  in-process total (interpreter start not counted)")
"""


def _cpu_of(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="svg")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's install has byte-compiled modules
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / args.program
        make = [sys.executable, "-m", "synthgen", "make", args.program, "--n", "2"]
        make += ["--out", str(out), "--workers", "1"]
        subprocess.run(make, check=True, env=env, stdout=subprocess.DEVNULL)
        first = json.loads((out / "data" / "shard-00000.jsonl").read_text().splitlines()[0])
        replay = [sys.executable, "-m", "synthgen", "replay", str(out), first["id"]]
        warm = _cpu_of(replay, env)
        runs = [_cpu_of(replay, env) for _ in range(args.runs)]
        print(f"{args.program}: replay of {first['id']}, user+sys CPU per process")
        listed = ", ".join(f"{r:.2f}" for r in runs)
        print(f"  warm-up {warm:.2f} s (fills the caches); runs: {listed}")
        print(f"  min {min(runs):.2f} s, median {statistics.median(runs):.2f} s")
        print("where one replay's CPU goes (time.process_time, one process):")
        cmd = [sys.executable, "-c", PHASES, str(out), first["id"], args.program]
        subprocess.run(cmd, check=True, env=env)


if __name__ == "__main__":
    main()
