"""Shared samples for the QA suite tests: procedural graphs with their instance and depth
maps (made once per session), and the multi-image program registered for ``synthgen.make``
(fork workers inherit the registration)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

import synthgen.generators.svg_multi  # noqa: F401  (registers the program)
from synthgen.generators.qa import QAGraph
from synthgen.generators.qa.sources import from_scene_graph
from synthgen.world import SceneGraph, WorldConfig, make_scene
from tests.qa.checker import Graph, world_graph


@dataclass
class Sample:
    """One procedural image: the suite's view and the checker's independent graph."""

    view: QAGraph
    truth: Graph
    graph: SceneGraph


def make_samples(n: int, seed: int, world: WorldConfig | None = None) -> list[Sample]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        _, rendering, graph = make_scene(rng, world or WorldConfig())
        ids = np.array(rendering.ids)
        view = from_scene_graph(graph, ids, lambda r=rendering: r.depth)
        truth = world_graph(graph.model_dump(), ids, None)
        truth.extra["rendering"] = rendering
        out.append(Sample(view, truth, graph))
    return out


@pytest.fixture(scope="session")
def samples() -> list[Sample]:
    """250 default-world images (3-10 objects)."""
    return make_samples(250, seed=11)


def with_depth(sample: Sample) -> Graph:
    """The checker's graph with the depth map (computed on demand: milliseconds each)."""
    if sample.truth.depth is None:
        sample.truth.depth = np.array(sample.truth.extra["rendering"].depth)
    return sample.truth
