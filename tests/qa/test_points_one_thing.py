"""Point questions never compare points on one thing: a man's arm and the shirt he wears
are at one depth to a viewer (the drawing only puts one layer over the other), and whether
the shirt is "another object" than the man is unclear. Found by looking (stop 27): "Which
of these image points is farthest from the camera: (207, 148) or (193, 149)?" -- his arm
and his shirt.

"One thing" is read here from the sprite graph itself, not from the QA package: objects
tied by the world's part rules (``rule`` "part:..."), transitively, and any two objects
the world placed one on, in, held by, worn by ... the other (a relation with a rule, but
not the geometric and facing-cone ones)."""

from __future__ import annotations

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite
from synthgen.generators.qa.sources import world_view
from tests.helpers import sprite_scenes

KINDS = ("point_closer", "point_farther", "point_same_object", "point_different_object")


def _one_thing(graph) -> tuple[dict[int, int], set[tuple[int, int]]]:
    root: dict[int, int] = {}

    def find(i: int) -> int:
        while root.get(i, i) != i:
            i = root[i]
        return i

    placed: set[tuple[int, int]] = set()
    for r in graph.relationships:
        s, o = int(r.subject_id), int(r.object_id)
        if r.rule and r.rule.startswith("part:"):
            a, b = find(s), find(o)
            if a != b:
                root[max(a, b)] = min(a, b)
        if r.rule and r.kind != "geometric" and r.rule != "facing-cone":
            placed |= {(s, o), (o, s)}
    return {i: find(i) for i in {o.id for o in graph.objects}}, placed


@pytest.fixture(scope="module")
def asked() -> list[tuple]:
    suite = QASuite(QAConfig(kinds=KINDS, per_image=4, balance=False))
    rng = np.random.default_rng(7)
    out = []
    for scene in sprite_scenes(80, seed=27):
        view = world_view(*scene)
        for _ in range(3):
            out += [(view, scene[3], qa) for qa in suite.ask(view, rng)]
    return out


def test_depth_points_lie_on_two_things(asked) -> None:
    checked = 0
    for view, graph, qa in asked:
        if qa.program["op"] != "point_depth":
            continue
        root, placed = _one_thing(graph)
        a, b = (int(view.ids[y, x]) for x, y in qa.program["points"])
        assert root[a] != root[b] and (a, b) not in placed, (qa.question, a, b)
        checked += 1
    assert checked >= 20


def test_other_objects_points_are_not_of_the_anchors_thing(asked) -> None:
    checked = 0
    for view, graph, qa in asked:
        if qa.program["op"] != "point_object":
            continue
        root, placed = _one_thing(graph)
        ax, ay = qa.program["anchor"]
        home = int(view.ids[ay, ax])
        for x, y in qa.program["points"]:
            other = int(view.ids[y, x])
            if other != home:
                assert root[other] != root[home] and (other, home) not in placed, qa.question
                checked += 1
    assert checked >= 100
