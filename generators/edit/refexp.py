"""Referring expressions that pick exactly one object of a scene graph.

An expression is structured (:class:`RefExp`): a noun (shape, or None for "object"),
attribute constraints, and optionally an ordinal ("the second cube from the left") or a
relation to an anchor expression ("the large sphere behind the red cylinder"). The text is
rendered from the structure (:func:`phrase`), and :func:`evaluate` interprets the structure
against a :class:`~synthgen.world.SceneGraph` -- the set of objects it denotes. A program
only uses an expression whose evaluation is exactly the intended object, so "an instruction
never matches two objects" is a property anyone can re-check from the record.

Ordinals and relations are decided with the graph's own relations, which carry margins:
an object is "k-th from the left" among the matching objects only when every pair of them is
decided by ``left of`` / ``right of`` (too-close pairs make the ordinal undefined, not
guessed), and "the X behind the Y" needs the graph's ``behind`` relation.

A relational expression is read as a person reads it: "the cube behind the torus" may mean
any cube a viewer would call behind the torus, and the graph's ``behind`` is strict (straight
behind, within the footprints' width), so three cubes at the back of the scene can all be
"behind the torus" to a person while one holds the graph relation. So every *other* object
of the phrase's kind counts as denoted unless it is clearly not in the relation
(:data:`CLEARLY_NOT`: for "behind", it is closer to the camera than the anchor; for "to the
left of", it is right of the anchor). ``next to`` has no such opposite and so denotes every
object of its kind that is not clearly elsewhere -- in practice it is never unique.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from synthgen.records import CompactModel
from synthgen.world import SceneGraph

ATTRS = ("size", "color", "material")
"""Attribute order in a noun phrase: ``large red metal cube``."""

ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth")
Axis = Literal["left", "right", "closest"]
AXIS_PREDICATE: dict[str, str] = {"left": "left of", "right": "right of", "closest": "closer than"}
"""An object is k-th along an axis when k - 1 of the others stand in this predicate to it."""
RELATION_PHRASE: dict[str, str] = {
    "left of": "to the left of",
    "right of": "to the right of",
    "in front of": "in front of",
    "behind": "behind",
    "next to": "next to",
}
"""Spatial predicates an expression may use, and how they read."""
CLEARLY_NOT: dict[str, str] = {
    "behind": "closer than",
    "in front of": "farther than",
    "left of": "right of",
    "right of": "left of",
}
"""pred -> the graph relation of an object to the anchor that rules out reading it as pred."""


class Ordinal(BaseModel):
    """``k``-th along ``axis``: "the second cube from the left" is ``(2, "left")``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    k: int
    axis: Axis


class Relation(BaseModel):
    """Stands in ``pred`` (a :data:`RELATION_PHRASE` predicate) to the object of ``anchor``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pred: str
    anchor: RefExp


class RefExp(CompactModel):
    """A structured referring expression (see module docstring). Unset parts (None) are
    left out of its JSON."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    attrs: dict[str, str] = {}
    ordinal: Ordinal | None = None
    relation: Relation | None = None


Relation.model_rebuild()


def noun_phrase(name: str | None, attrs: dict[str, str], plural: bool = False) -> str:
    words = [attrs[a] for a in ATTRS if a in attrs]
    noun = name or "object"
    if plural:
        noun = noun + ("es" if noun.endswith(("s", "sh", "ch", "x")) else "s")
    return " ".join([*words, noun])


def phrase(ref: RefExp) -> str:
    """The English text of an expression, with its article."""
    base = noun_phrase(ref.name, ref.attrs)
    if ref.ordinal is not None:
        k, axis = ref.ordinal.k, ref.ordinal.axis
        word = ORDINAL_WORDS[k - 1]
        if axis == "closest":
            return f"the {base} closest to the camera" if k == 1 else f"the {word} closest {base}"
        return f"the {word} {base} from the {axis}"
    if ref.relation is not None:
        pred, anchor = ref.relation.pred, ref.relation.anchor
        return f"the {base} {RELATION_PHRASE[pred]} {phrase(anchor)}"
    return f"the {base}"


@dataclass
class GraphIndex:
    """What evaluation looks up, computed once per graph."""

    graph: SceneGraph
    attribute_cache: dict[int, list[RefExp]] = field(default_factory=dict)
    match_cache: dict[tuple, list[int]] = field(default_factory=dict)

    @cached_property
    def pairs(self) -> dict[str, set[tuple[int, int]]]:
        return {p: {tuple(x) for x in v} for p, v in self.graph.relations_by_predicate.items()}

    def has(self, subject: int, predicate: str, obj: int) -> bool:
        return (subject, obj) in self.pairs.get(predicate, ())

    @cached_property
    def rows(self) -> list[tuple[int, str, dict[str, str]]]:
        return [(o.id, o.name, o.attributes) for o in self.graph.objects]

    def matching(self, name: str | None, attrs: dict[str, str]) -> list[int]:
        key = (name, tuple(sorted(attrs.items())))
        hit = self.match_cache.get(key)
        if hit is None:
            hit = [
                i
                for i, n, a in self.rows
                if (name is None or n == name) and all(a.get(k) == v for k, v in key[1])
            ]
            self.match_cache[key] = hit
        return hit


def evaluate(ref: RefExp, graph: SceneGraph | GraphIndex) -> list[int]:
    """Ids of the objects ``ref`` denotes in ``graph`` (a unique expression gives one)."""
    g = graph if isinstance(graph, GraphIndex) else GraphIndex(graph)
    base = g.matching(ref.name, ref.attrs)
    if ref.ordinal is not None:
        k, axis = ref.ordinal.k, ref.ordinal.axis
        pred = AXIS_PREDICATE[axis]
        inverse = {"left of": "right of", "right of": "left of", "closer than": "farther than"}
        out = []
        for o in base:
            others = [m for m in base if m != o]
            before = [m for m in others if g.has(m, pred, o)]
            decided = all(g.has(m, pred, o) or g.has(m, inverse[pred], o) for m in others)
            if decided and len(before) == k - 1:
                out.append(o)
        return out
    if ref.relation is not None:
        pred, anchor_ref = ref.relation.pred, ref.relation.anchor
        anchors = evaluate(anchor_ref, g)
        if len(anchors) != 1:
            return []
        a = anchors[0]
        return _relation_hits(g, base, pred, a)
    return base


def _relation_hits(g: GraphIndex, base: list[int], pred: str, a: int) -> list[int]:
    """Objects of ``base`` (not the anchor ``a``) a person could mean by "the ... <pred> a":
    none when no object holds the graph relation, else those that hold it and those not
    clearly outside it (module docstring)."""
    holds = [o for o in base if o != a and g.has(o, pred, a)]
    if not holds:
        return []
    opposite = CLEARLY_NOT.get(pred)
    return [
        o
        for o in base
        if o != a and (g.has(o, pred, a) or opposite is None or not g.has(o, opposite, a))
    ]


def attribute_refs(g: GraphIndex, object_id: int) -> list[RefExp]:
    """Unique attribute-only expressions of an object, shortest first (cached per graph)."""
    if object_id not in g.attribute_cache:
        g.attribute_cache[object_id] = _attribute_refs(g, object_id)
    return g.attribute_cache[object_id]


_COMBOS = [
    (keys, with_name)
    for r in range(len(ATTRS) + 1)
    for keys in combinations(ATTRS, r)
    for with_name in (True, False)
    if keys or with_name
]
"""Attribute-only expression forms in :func:`attribute_refs` order: attributes used, and
whether the noun is the shape (else "object")."""
_BIT = {"name": 1, **{a: 2 << i for i, a in enumerate(ATTRS)}}


def _attribute_refs(g: GraphIndex, object_id: int) -> list[RefExp]:
    # An attribute-only expression matches another object when that object agrees with
    # ``object_id`` on every feature the expression uses (what ``evaluate`` tests via
    # ``g.matching``). So compute, once, the agreement set of every other object as bits
    # and keep the forms no other object agrees on fully; build RefExps only for those
    # (the finders run for every planned edit).
    o = g.graph.object(object_id)
    agree = []
    for i, name, attrs in g.rows:
        if i != object_id:
            bits = _BIT["name"] if name == o.name else 0
            for a in ATTRS:
                if attrs.get(a) == o.attributes.get(a):
                    bits |= _BIT[a]
            agree.append(bits)
    out = []
    for keys, with_name in _COMBOS:
        need = (_BIT["name"] if with_name else 0) | sum(_BIT[k] for k in keys)
        if all(bits & need != need for bits in agree):
            attrs = {k: o.attributes[k] for k in keys}
            out.append(RefExp(name=o.name if with_name else None, attrs=attrs))
    return out


def _ordinal_positions(g: GraphIndex, base: list[int], axis: str) -> dict[int, int]:
    """Object -> k for the objects of ``base`` that are decidedly k-th along ``axis``
    (exactly what ``evaluate`` tests for an ordinal expression over ``base``)."""
    pred = AXIS_PREDICATE[axis]
    inverse = {"left of": "right of", "right of": "left of", "closer than": "farther than"}[pred]
    ahead, behind = g.pairs.get(pred, set()), g.pairs.get(inverse, set())
    out = {}
    for o in base:
        before = 0
        for m in base:
            if m == o:
                continue
            if (m, o) in ahead:
                before += 1
            elif (m, o) not in behind:
                break
        else:
            out[o] = before + 1
    return out


def ordinal_refs(g: GraphIndex, object_id: int) -> list[RefExp]:
    """Unique ordinal expressions ("the second cube from the left") of an object."""
    o = g.graph.object(object_id)
    out = []
    for attrs in ({}, {"color": o.attributes["color"]}):
        base = g.matching(o.name, attrs)
        if len(base) < 2:
            continue
        for axis in ("left", "right", "closest"):
            ranks = _ordinal_positions(g, base, axis)
            k = ranks.get(object_id)
            if k is None or k > min(len(base), len(ORDINAL_WORDS)):
                continue
            if sum(1 for v in ranks.values() if v == k) == 1:
                out.append(RefExp(name=o.name, attrs=attrs, ordinal=Ordinal(k=k, axis=axis)))
    return out


def relation_refs(g: GraphIndex, object_id: int) -> list[RefExp]:
    """Unique relational expressions ("the sphere behind the red cube") of an object."""
    o = g.graph.object(object_id)
    out = []
    for pred in RELATION_PHRASE:
        for s, a in g.graph.relations_by_predicate.get(pred, ()):
            if s != object_id:
                continue
            anchors = attribute_refs(g, a)
            if not anchors:
                continue
            # anchors[0] denotes exactly ``a``, so the expression denotes what
            # ``_relation_hits`` gives for ``a`` (as ``evaluate`` does)
            for attrs in ({}, {"color": o.attributes["color"]}):
                hits = _relation_hits(g, g.matching(o.name, attrs), pred, a)
                if hits == [object_id]:
                    relation = Relation(pred=pred, anchor=anchors[0])
                    out.append(RefExp(name=o.name, attrs=attrs, relation=relation))
                    break
    return out


STYLES = ("attribute", "ordinal", "relation")


_FINDERS = {"attribute": attribute_refs, "ordinal": ordinal_refs, "relation": relation_refs}


def unique_ref(
    g: GraphIndex, object_id: int, rng: np.random.Generator, styles: tuple[str, ...] = STYLES
) -> RefExp | None:
    """A unique expression of the object. A style (attribute / ordinal / relation) is drawn;
    if the object has no expression of that style the next style is tried (cyclically).
    Attribute style gives the shortest description, the others a drawn one. None when no
    expression picks the object alone (e.g. two identical objects with nothing to tell
    them apart). ``styles``: the styles allowed (a move leaves out "relation": "slide the
    cone to the left of the cube toward the camera" reads two ways). Two draws per call,
    whatever happens."""
    u = float(rng.random())
    v = float(rng.random())
    start = int(u * len(styles))
    for i in range(len(styles)):
        style = styles[(start + i) % len(styles)]
        options = _FINDERS[style](g, object_id)
        if options:
            return options[0] if style == "attribute" else options[int(v * len(options))]
    return None
