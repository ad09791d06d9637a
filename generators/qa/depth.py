"""Object depth and 3D distance kinds (ProVision's object-depth family and beyond): which
candidate is closer / farther from the camera or from an anchor object, is A nearer B than
C, and which object is nearest / farthest from an anchor.

Distances are between object centres in world units (camera distance is the scene graph's
``distance``); every comparison needs a margin of :data:`MARGIN`, so no answer hinges on a
near tie a viewer could not judge.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from synthgen.generators.qa.base import QA, QuestionKind, question_kinds, sample
from synthgen.generators.qa.graph import QAGraph, QObject
from synthgen.generators.qa.programs import pick, ref
from synthgen.generators.qa.templates import Templates, either

MARGIN = 0.25
"""World units by which the winner of a distance comparison must win."""


def _dist(a: QObject, b: QObject) -> float:
    assert a.position is not None and b.position is not None
    return math.dist(a.position, b.position)


def _winner(values: list[float], smallest: bool) -> int | None:
    """Index of the smallest (largest) value if it wins by MARGIN over every other."""
    best = min(values) if smallest else max(values)
    i = values.index(best)
    for j, v in enumerate(values):
        if j != i and abs(v - best) < MARGIN:
            return None
    return i


class _CameraDistance(QuestionKind):
    family = "depth"
    answer_type = "name"
    requires = frozenset({"3d"})
    closer: ClassVar[bool]

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        objs = g.referable
        if len(objs) < 2:
            return None
        k = 3 if len(objs) >= 3 and rng.random() < 0.5 else 2
        for _ in range(4):
            cands = sample(rng, objs, k)
            i = _winner([o.distance for o in cands], self.closer)  # type: ignore[misc]
            if i is None:
                continue
            refs = g.refs
            texts = [refs[o.id][0] for o in cands]  # type: ignore[index]
            program = {
                "op": "object_depth",
                "options": texts,
                "refs": [ref(o.name, refs[o.id][1]) for o in cands],  # type: ignore[index]
                "most": "closer" if self.closer else "farther",
                "margin": MARGIN,
            }
            return self.make(
                t,
                rng,
                texts[i],
                program,
                options=either(texts),
                among=either(texts, conjunction="and"),
            )
        return None


@question_kinds.register
class ObjectCloser(_CameraDistance):
    """Which of 2-3 objects is closer to the camera (3D distance with a margin)."""

    name = "object_closer"
    version = "2"
    closer = True


@question_kinds.register
class ObjectFarther(_CameraDistance):
    """Which of 2-3 objects is farther from the camera."""

    name = "object_farther"
    closer = False


class _AnchorDistance(QuestionKind):
    family = "depth"
    answer_type = "name"
    requires = frozenset({"3d"})
    closer: ClassVar[bool]

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        objs = g.referable
        if len(objs) < 3:
            return None
        k = 3 if len(objs) >= 4 and rng.random() < 0.5 else 2
        for _ in range(4):
            picked = sample(rng, objs, k + 1)
            anchor, cands = picked[0], picked[1:]
            i = _winner([_dist(anchor, o) for o in cands], self.closer)
            if i is None:
                continue
            refs = g.refs
            texts = [refs[o.id][0] for o in cands]  # type: ignore[index]
            program = {
                "op": "anchor_distance",
                "anchor": ref(anchor.name, refs[anchor.id][1]),  # type: ignore[index]
                "options": texts,
                "refs": [ref(o.name, refs[o.id][1]) for o in cands],  # type: ignore[index]
                "most": "closer" if self.closer else "farther",
                "margin": MARGIN,
            }
            return self.make(
                t,
                rng,
                texts[i],
                program,
                anchor=refs[anchor.id][0],  # type: ignore[index]
                options=either(texts),
                among=either(texts, conjunction="and"),
            )
        return None


@question_kinds.register
class CloserToAnchor(_AnchorDistance):
    """Which of 2-3 objects is closer to an anchor object (3D centres)."""

    name = "closer_to_anchor"
    closer = True


@question_kinds.register
class FartherToAnchor(_AnchorDistance):
    """Which of 2-3 objects is farther from an anchor object (3D centres)."""

    name = "farther_to_anchor"
    closer = False


@question_kinds.register
class DistanceCompare(QuestionKind):
    """Is the anchor closer to A than to B? A and B are ordered after the answer is drawn,
    so "yes" and "no" are equally likely from the same triples."""

    name = "distance_compare"
    family = "spatial3d"
    answer_type = "bool"
    requires = frozenset({"3d"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        objs = g.referable
        if len(objs) < 3:
            return None
        for _ in range(4):
            anchor, a, b = sample(rng, objs, 3)
            da, db = _dist(anchor, a), _dist(anchor, b)
            if abs(da - db) < MARGIN:
                continue
            near, far = (a, b) if da < db else (b, a)
            yes = rng.random() < 0.5
            first, second = (near, far) if yes else (far, near)
            refs = g.refs
            program = {
                "op": "distance_compare",
                "anchor": ref(anchor.name, refs[anchor.id][1]),  # type: ignore[index]
                "a": ref(first.name, refs[first.id][1]),  # type: ignore[index]
                "b": ref(second.name, refs[second.id][1]),  # type: ignore[index]
                "margin": MARGIN,
            }
            return self.make(
                t,
                rng,
                "yes" if yes else "no",
                program,
                anchor=refs[anchor.id][0],  # type: ignore[index]
                a=refs[first.id][0],  # type: ignore[index]
                b=refs[second.id][0],  # type: ignore[index]
            )
        return None


class _ClosestObject(QuestionKind):
    family = "spatial3d"
    answer_type = "name"
    requires = frozenset({"3d"})
    closest: ClassVar[bool]

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if len(g.objects) < 3:
            return None
        refs = g.refs
        anchor = pick(rng, g.objects)
        if refs[anchor.id] is None:
            return None
        others = [o for o in g.objects if o is not anchor]
        i = _winner([_dist(anchor, o) for o in others], self.closest)
        if i is None or refs[others[i].id] is None:
            return None
        win = others[i]
        program = {
            "op": "closest_object",
            "anchor": ref(anchor.name, refs[anchor.id][1]),  # type: ignore[index]
            "most": "closest" if self.closest else "farthest",
            "margin": MARGIN,
            "answer_ref": ref(win.name, refs[win.id][1]),  # type: ignore[index]
        }
        return self.make(
            t,
            rng,
            refs[win.id][0],  # type: ignore[index]
            program,
            anchor=refs[anchor.id][0],  # type: ignore[index]
        )


@question_kinds.register
class ClosestObject(_ClosestObject):
    """Which object is nearest to the anchor object (by a margin over all others)."""

    name = "closest_object"
    closest = True


@question_kinds.register
class FarthestObject(_ClosestObject):
    """Which object is farthest from the anchor object (by a margin over all others)."""

    name = "farthest_object"
    closest = False
