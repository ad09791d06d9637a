#!/usr/bin/env python
"""Rebuild ``synthgen/world/sprites/data/scene_evidence.json``: which scene types each
thing (and ground) of the sprite world is seen in, from a fixed sample of scenes (see
:mod:`synthgen.world.scene_evidence`). Rerun it after changing what the scene
grammar places where; ``tests/world/sprites/test_scene_evidence.py`` fails until then.

    python scripts/build_scene_evidence.py [--scenes 60000] [--seed 12]

60,000 scenes take about 3 CPU-minutes.
"""

from __future__ import annotations

import argparse

from synthgen.world.scene_evidence import EVIDENCE_FILE, write_scene_evidence


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    write_scene_evidence(args.scenes, args.seed)
    print(f"wrote {EVIDENCE_FILE}")


if __name__ == "__main__":
    main()
