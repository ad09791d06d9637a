"""Words for objects and changes: descriptions, referring expressions, captions.

Everything here is computed from attribute tables (what the scene graph says), never from
pixels. The phrasings are data (``prompts/imgdiff.toml``); this module fills their slots:

* ``full(attrs)`` -- "small red rubber cube" (size, color, material, shape);
* ``referring(i, objects)`` -- the shortest attribute phrase that tells object i apart from
  every other object of its image ("the red cube"), leaving out the attribute a change is
  about where another phrase suffices; identical twins get "on the left" /
  "on the right" / "in the middle" from their image x;
* ``distinguishing(attrs, others)`` -- the shortest phrase that matches no object of the other
  image (for "which image contains X?"), or None when every phrase matches one there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from synthgen.generators.qa.templates import article
from synthgen.prompts import load, text_sha256

ATTR_ORDER = ("size", "color", "material", "shape")
SUBSETS: tuple[tuple[str, ...], ...] = (
    ("shape",),
    ("color", "shape"),
    ("size", "shape"),
    ("material", "shape"),
    ("size", "color", "shape"),
    ("color", "material", "shape"),
    ("size", "material", "shape"),
    ("size", "color", "material", "shape"),
)
"""Attribute sets tried for referring expressions, shortest first."""
PROMPT_NAME = "imgdiff"

Attrs = Mapping[str, str]


@cache
def phrasebook() -> dict[str, Any]:
    return load(PROMPT_NAME)


@cache
def phrasebook_sha256() -> str:
    book = phrasebook()
    return text_sha256(repr(book["captions"]) + repr(book["questions"]))


def phrase(attrs: Attrs, keys: Sequence[str] = ATTR_ORDER) -> str:
    return " ".join(attrs[k] for k in ATTR_ORDER if k in keys)


def full(attrs: Attrs) -> str:
    return phrase(attrs)


def _matches(attrs: Attrs, other: Attrs, keys: Sequence[str]) -> bool:
    return all(attrs[k] == other[k] for k in keys)


def referring(
    i: int, objects: Sequence[Attrs], xs: Sequence[float], avoid: str | None = None
) -> str:
    """ "the ..." phrase that picks objects[i] out of ``objects`` (xs: their image x).

    ``avoid``: an attribute the phrase should leave out when another phrase suffices -- the
    one a change is about, so the caption says "the cube changed color from yellow to blue"
    rather than "the yellow cube changed color from yellow to blue"."""
    me = objects[i]
    subsets = SUBSETS
    if avoid is not None:
        subsets = tuple(k for k in SUBSETS if avoid not in k) + tuple(
            k for k in SUBSETS if avoid in k
        )
    for keys in subsets:
        if not any(_matches(me, o, keys) for j, o in enumerate(objects) if j != i):
            return "the " + phrase(me, keys)
    twins = sorted(j for j, o in enumerate(objects) if _matches(me, o, ATTR_ORDER))
    order = sorted(twins, key=lambda j: (xs[j], j))
    where = (
        "on the left" if order[0] == i else "on the right" if order[-1] == i else "in the middle"
    )
    return f"the {full(me)} {where}"


def distinguishing(attrs: Attrs, others: Sequence[Attrs]) -> str | None:
    """ "a ..." phrase for ``attrs`` that no object in ``others`` matches, or None."""
    for keys in SUBSETS:
        if not any(_matches(attrs, o, keys) for o in others):
            return article(phrase(attrs, keys))
    return None


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def change_captions(kind: str, slots: Mapping[str, str]) -> list[str]:
    """Every phrasing of one change, slots filled."""
    return [capitalise(t.format(**slots)) for t in phrasebook()["captions"][kind]]


def direction(dx: float, dy: float) -> str:
    """Where a moved object went: ``dx`` sideways (negative: to the left), ``dy`` in depth
    (negative: towards the back, away from the camera), both on the ground in the camera's
    frame (``procedural.ground_move``); the dominant axis, plus the other one when it is at
    least half as large ("to the left and towards the back")."""
    words = phrasebook()["directions"]
    horiz = words["left"] if dx < 0 else words["right"]
    vert = words["back"] if dy < 0 else words["front"]
    ax, ay = abs(dx), abs(dy)
    if ax >= ay:
        return horiz if ay < 0.5 * ax else f"{horiz} and {vert}"
    return vert if ax < 0.5 * ay else f"{vert} and {horiz}"
