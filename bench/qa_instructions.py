"""QA cost in machine instructions: what ``bench/qa.py``'s svg line measures in CPU time,
counted by valgrind's callgrind instead, so that two versions of the code compare exactly.

CPU time on a shared machine is noisy: on the build machine of stop 27 the same code read
6,300 and 10,900 QA per CPU-second minutes apart (a neighbour on the core; no steal time
shows), too much to see a 3 % change. Instructions do not depend on the neighbour: the same
code and inputs give the same count to a few parts in 10,000 (``PYTHONHASHSEED`` fixed).
They are a proxy (cache misses and branch mispredictions are not counted), good for
comparing Python-level changes to the same code.

The svg default suite (``per_image=8``) asks ``--graphs`` sprite images ``--passes`` times,
building each QA view as svg does; only that part is counted (callgrind starts counting
inside one ``operator.call``). The calibration tables are made first, natively, so that
valgrind (about 50x slower) only imports, draws the scenes and asks. Needs ``valgrind``
(``apt-get install valgrind``); about two minutes.

    python bench/qa_instructions.py                  # 100 images, 1 pass
    python bench/qa_instructions.py --graphs 150 --passes 2
"""

from __future__ import annotations

import argparse
import operator
import os
import re
import shutil
import subprocess
import sys


def _ask(graphs: int, passes: int) -> None:
    """The counted part (run under valgrind): build the views and ask, as svg does."""
    import numpy as np
    from qa import scenes  # bench/qa.py: the same images and view builders

    from synthgen.gc_tuning import shard_gc
    from synthgen.generators.qa import QAConfig, QASuite

    builders, settings = scenes("sprites", graphs, 10)
    suite = QASuite(QAConfig(per_image=8), calibration_world=settings)  # type: ignore[arg-type]
    suite.warm()
    qa_rng = np.random.default_rng(1)
    for build in builders[:5]:  # the module-level caches a running shard has warm
        suite.ask(build(), qa_rng)

    def run() -> int:
        n = 0
        for _ in range(passes):
            for build in builders:
                n += len(suite.ask(build(), qa_rng))
        return n

    with shard_gc():
        n = operator.call(run)  # counted: callgrind --toggle-collect=_operator_call
    print(f"QA {n}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--graphs", type=int, default=100)
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _ask(args.graphs, args.passes)
        return
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("bench/qa_instructions.py: valgrind not found; apt-get install valgrind")
    from synthgen.generators.qa import QAConfig, QASuite
    from synthgen.world.choice import default_config

    QASuite(QAConfig(per_image=8), calibration_world=default_config("sprites")).warm()
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    command = [
        valgrind,
        "--tool=callgrind",
        "--collect-atstart=no",
        "--toggle-collect=_operator_call",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        f"--graphs={args.graphs}",
        f"--passes={args.passes}",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    counted = re.search(r"Collected : (\d+)", done.stderr)
    made = re.search(r"QA (\d+)", done.stdout)
    if done.returncode != 0 or counted is None or made is None:
        sys.exit(f"bench/qa_instructions.py: valgrind run failed:\n{done.stderr[-2000:]}")
    instructions, qa = int(counted.group(1)), int(made.group(1))
    images = args.graphs * args.passes
    print(
        f"svg default (per_image=8), {images} sprite images: {qa:,} QA, "
        f"{instructions / images / 1e6:.3f} M instructions per image, "
        f"{instructions / qa / 1e3:.1f} k per QA"
    )


if __name__ == "__main__":
    main()
