"""Shared samples for the QA suite tests: procedural graphs with their instance and depth
maps (made once per session), and the multi-image program registered for ``synthgen.make``
(fork workers inherit the registration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def keep_probability(balancer: Any, kind: Any, qa: Any) -> float:
    """The probability ``Balancer.accept`` keeps ``qa``, as it reads its table: per question
    text on an open world (the first level with a row; none: not kept), else per balance
    key and label, times the kind's cue weights (``balance_cues``). A reference restated
    from the rule, for tests that weigh proposals instead of drawing."""
    from synthgen.generators.qa import balance as B

    table = balancer.table(kind)
    key = kind.balance_key(qa)
    levels = B.text_levels(kind, qa)
    if levels:
        said = B.text_label(kind, qa)
        for level, bucket in enumerate(levels):
            row = table.get(B.text_row(level, key, bucket))
            if row is not None:
                return min(1.0, row.get(said, 1.0))
        return 0.0
    row = table.get(key)
    p = 1.0 if row is None else row.get(kind.balance_label(qa), 1.0)
    cues_of = getattr(kind, "balance_cues", None)
    if cues_of is not None:
        unseen = table.get(B.UNSEEN, {}).get("*", 1.0)
        for group, cue, outcome in cues_of(qa):
            p *= table.get(B.cue_id(group, cue), {}).get(outcome, unseen)
    return min(1.0, p)
