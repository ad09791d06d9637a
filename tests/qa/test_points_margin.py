"""Every point a question names lies 3 pixels or more inside its object: the disk of
radius 3 around it is the object's in the id map. Enlarged art is blended over 2-3 pixels
at its edges, and the id map gives a pixel to a sprite from half opacity on, so a point
one pixel off a mask can show the other object's colour. Found by looking (stop 28): "The
point (247, 55) is on an object. Which of ... is on that same object?" -- the point was
sky in the id map and the tree's green in the picture.

Read from the questions' programs (anchor, candidates, depth points, part points) and the
id map with numpy, not from the point sampler."""

from __future__ import annotations

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite
from synthgen.generators.qa.sources import world_view
from tests.helpers import sprite_scenes

KINDS = (
    "point_closer",
    "point_farther",
    "point_same_object",
    "point_different_object",
    "part_at_point",
)
RADIUS = 3


@pytest.fixture(scope="module")
def asked() -> list[tuple]:
    suite = QASuite(QAConfig(kinds=KINDS, per_image=5, balance=False))
    rng = np.random.default_rng(11)
    out = []
    for scene in sprite_scenes(60, seed=28):
        view = world_view(*scene)
        for _ in range(3):
            out += [(view, qa) for qa in suite.ask(view, rng)]
    return out


def _points(program: dict) -> list[tuple[int, int]]:
    found = [program[k] for k in ("anchor", "point") if k in program]
    return [tuple(p) for p in (*found, *program.get("points", ()))]


def test_points_lie_three_pixels_inside_their_object(asked) -> None:
    yy, xx = np.mgrid[-RADIUS : RADIUS + 1, -RADIUS : RADIUS + 1]
    disk = xx * xx + yy * yy <= RADIUS * RADIUS
    checked: dict[str, int] = {}
    for view, qa in asked:
        ids = np.asarray(view.ids)
        for x, y in _points(qa.program):
            window = ids[y - RADIUS : y + RADIUS + 1, x - RADIUS : x + RADIUS + 1]
            assert window.shape == disk.shape, (qa.question, (x, y))
            assert (window[disk] == ids[y, x]).all(), (qa.question, (x, y))
            checked[qa.kind] = checked.get(qa.kind, 0) + 1
    assert set(checked) == set(KINDS), checked
    assert sum(checked.values()) >= 300, checked
