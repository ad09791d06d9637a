"""Shards run with raised GC thresholds, and the caller's settings come back afterwards."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import synthgen
import tests.engine.test_programs  # noqa: F401  (registers test_gc_probe)
from synthgen.gc_tuning import SHARD_GC_THRESHOLD


def test_shards_run_with_raised_thresholds_and_restore_the_callers(tmp_path: Path) -> None:
    before = gc.get_threshold()
    custom = (1234, 7, 9)
    gc.set_threshold(*custom)
    try:
        synthgen.make("test_gc_probe", n=5, out=tmp_path / "ds", workers=1)
        assert gc.get_threshold() == custom
    finally:
        gc.set_threshold(*before)
    lines = (tmp_path / "ds" / "data" / "shard-00000.jsonl").read_text().splitlines()
    seen = {tuple(json.loads(line)["gc_threshold"]) for line in lines}
    assert seen == {SHARD_GC_THRESHOLD}
