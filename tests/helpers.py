"""Helpers to run the CLI and compare datasets."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).parent


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``synthgen ARGS`` in a fresh interpreter (the real entry point, real exit codes)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "synthgen", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


RUN_REPORTS = ("manifest.json", "README.md")
"""Files that report on the run, not the data: timings, model calls and cache hits, the
counters of candidates (the dataset card ``README.md`` and its ``card/`` pictures too)."""


def dataset_bytes(root: Path) -> dict[str, bytes]:
    """Every output file of a dataset except the run's reports (:data:`RUN_REPORTS`,
    ``card/``) and sidecars."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        skip = rel.startswith((".synthgen", "card/")) or rel in RUN_REPORTS
        if path.is_file() and not skip:
            files[rel] = path.read_bytes()
    return files


def manifest_without_timings(root: Path) -> dict:
    import json

    data = json.loads((root / "manifest.json").read_text())
    data.pop("timings")
    data["job"].pop("out")
    for shard in data["shards"]:
        shard.pop("timings")
    return data


ROOT = TESTS_DIR.parent


def run_cli_with_test_programs(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.Popen[str]:
    """Start the CLI in a subprocess that has the test-only programs registered."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import tests.engine.test_programs; "
        "from synthgen.cli import main; sys.argv[0] = 'synthgen'; main()"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def sprite_scenes(count: int, seed: int = 2026) -> list[tuple]:
    """``(world, scene, rendering, graph)`` of the default sprite world's first ``count``
    scenes drawn from ``seed`` (drafts the world rejects are skipped)."""
    import numpy as np

    from synthgen.world.choice import default_config, world_of
    from synthgen.world.scene import SceneSamplingError

    settings = default_config("sprites")
    world = world_of(settings)
    rng = np.random.default_rng(seed)
    out: list[tuple] = []
    while len(out) < count:
        try:
            scene = world.sample(rng, settings)
            rendering = world.render(scene, settings)
            graph = world.graph(scene, rendering, settings)
        except SceneSamplingError:
            continue
        out.append((world, scene, rendering, graph))
    return out


def drawn_sprite_views(rng: Any, settings: Any, attempts: int | None = None) -> Iterator[Any]:
    """QA views of fresh scenes of the sprites world ``settings`` drawn from ``rng``, one per
    scene the world does not reject, out of ``attempts`` draws (None: without end). Lazy: a
    caller that asks questions with the same ``rng`` between views draws in the same order
    as an inline loop would."""
    from synthgen.generators.qa.sources import world_view
    from synthgen.world import SceneSamplingError
    from synthgen.world.choice import world_of

    world = world_of(settings)
    tries = itertools.count() if attempts is None else range(attempts)
    for _ in tries:
        try:
            scene = world.sample(rng, settings)
        except SceneSamplingError:
            continue
        rendering = world.render(scene, settings)
        yield world_view(world, scene, rendering, world.graph(scene, rendering, settings))
