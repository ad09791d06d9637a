"""Small datasets of every program in every output format, made once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import synthgen

N, SHARD = 6, 3
CONFIGS = {
    "svg": {"qa": {"per_image": 4}},
    "svg_multi": {"world": {"max_objects": 5}, "qa": {"per_image": 3}},
}


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """``made(program, format)``: the dataset directory of N records in SHARD-record shards."""
    root = tmp_path_factory.mktemp("data")
    cache: dict[tuple[str, str], Path] = {}

    def get(program: str, fmt: str) -> Path:
        if (program, fmt) not in cache:
            out = root / f"{program}-{fmt}"
            synthgen.make(
                program,
                n=N,
                out=out,
                workers=1,
                shard_size=SHARD,
                format=fmt,
                config=CONFIGS.get(program, {}),
            )
            cache[program, fmt] = out
        return cache[program, fmt]

    return get
