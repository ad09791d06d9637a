"""Shared fixtures: a few rendered scenes, built once per session."""

from __future__ import annotations

import numpy as np
import pytest

from synthgen.world import WorldConfig, make_scene

SEEDS = list(range(24))


@pytest.fixture(scope="session")
def scenes():
    """(seed, scene, rendering, graph) for SEEDS with the default config."""
    cfg = WorldConfig()
    return [(s, *make_scene(np.random.default_rng(s), cfg)) for s in SEEDS]


@pytest.fixture(scope="session")
def scenes8():
    """Scenes with exactly 8 objects."""
    cfg = WorldConfig(min_objects=8, max_objects=8)
    return [(s, *make_scene(np.random.default_rng(s), cfg)) for s in range(12)]
