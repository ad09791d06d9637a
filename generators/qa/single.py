"""Single-image question kinds (ProVision's families and beyond). Each answer is computed
from the graph; references are unique (see :mod:`refexp`); kinds return None when the graph
cannot support an unambiguous question."""

from __future__ import annotations

import numpy as np

from synthgen.generators.qa.base import QA, QuestionKind, question_kinds
from synthgen.generators.qa.graph import ATTRIBUTE_TYPES, QAGraph
from synthgen.generators.qa.refexp import phrase, region, select, unique_description
from synthgen.generators.qa.templates import Templates, plural


def _pick(rng: np.random.Generator, items: list):
    return items[int(rng.integers(len(items)))]


@question_kinds.register
class Count(QuestionKind):
    """How many objects of a name."""

    name = "count"
    family = "object"
    answer_type = "count"

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if not g.objects:
            return None
        name = _pick(rng, sorted(g.name_counts))
        return self.make(t, rng, g.name_counts[name], {"select": {"name": name}}, objs=plural(name))


@question_kinds.register
class AttributeCount(QuestionKind):
    """How many objects of a name with one attribute."""

    name = "attribute_count"
    family = "attribute"
    answer_type = "count"
    requires = frozenset({"typed_attributes"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        o = _pick(rng, g.objects)
        types = [k for k in ATTRIBUTE_TYPES if k in o.attrs]
        if not types:
            return None
        key = _pick(rng, types)
        attrs = {key: o.attrs[key]}
        count = len(select(g, o.name, attrs))
        return self.make(
            t,
            rng,
            count,
            {"select": {"name": o.name, "attrs": attrs}},
            objs=plural(phrase(o.name, attrs)),
        )


@question_kinds.register
class TypedAttributeOfObject(QuestionKind):
    """The color/material/size of a uniquely described object."""

    name = "typed_attribute"
    family = "attribute"
    answer_type = "attribute"
    requires = frozenset({"typed_attributes"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        o = _pick(rng, g.objects)
        asked = [k for k in ATTRIBUTE_TYPES if k in o.attrs]
        if not asked:
            return None
        key = _pick(rng, asked)
        # Describe the object without the attribute that is asked about.
        others = {k: v for k, v in o.attrs.items() if k != key and k in ATTRIBUTE_TYPES}
        for size in range(len(others) + 1):
            for keys in _subsets(sorted(others), size):
                attrs = {k: others[k] for k in keys}
                if len(select(g, o.name, attrs)) == 1:
                    return self.make(
                        t,
                        rng,
                        o.attrs[key],
                        {"select": {"name": o.name, "attrs": attrs}, "query": key},
                        obj=phrase(o.name, attrs),
                        type=key,
                    )
        return None


@question_kinds.register
class AttributesAtRegion(QuestionKind):
    """All attributes of the object at a region."""

    name = "attributes_at_region"
    family = "attribute"
    answer_type = "attribute"
    requires = frozenset({"typed_attributes"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        o = _pick(rng, g.objects)
        words = [o.attrs[k] for k in ("size", "color", "material") if k in o.attrs]
        if not words:
            return None
        return self.make(
            t, rng, " ".join(words), {"at": list(o.bbox), "query": "attributes"}, region=region(o)
        )


@question_kinds.register
class RelationBetweenNamed(QuestionKind):
    """How two uniquely described objects are related (all predicates that hold)."""

    name = "relation_named"
    family = "relation"
    answer_type = "relation"
    requires = frozenset({"relations"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        pairs = sorted(g.relations_between)
        if not pairs:
            return None
        for _ in range(4):
            s_id, o_id = _pick(rng, pairs)
            a, b = unique_description(g, g.by_id[s_id]), unique_description(g, g.by_id[o_id])
            if a and b:
                preds = g.relations_between[(s_id, o_id)]
                return self.make(
                    t,
                    rng,
                    ", ".join(preds),
                    {
                        "subject": {"name": g.by_id[s_id].name, "attrs": a[1]},
                        "object": {"name": g.by_id[o_id].name, "attrs": b[1]},
                        "query": "relations",
                    },
                    a=a[0],
                    b=b[0],
                )
        return None


@question_kinds.register
class ObjectCloser(QuestionKind):
    """Which of two objects is closer to the camera (3D distance with a margin)."""

    name = "object_closer"
    family = "depth"
    answer_type = "name"
    requires = frozenset({"3d"})
    margin = 0.25

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if len(g.objects) < 2:
            return None
        for _ in range(4):
            i, j = rng.choice(len(g.objects), size=2, replace=False)
            a, b = g.objects[int(i)], g.objects[int(j)]
            assert a.distance is not None and b.distance is not None
            if abs(a.distance - b.distance) < self.margin:
                continue
            da, db = unique_description(g, a), unique_description(g, b)
            if da and db:
                answer = da[0] if a.distance < b.distance else db[0]
                return self.make(
                    t,
                    rng,
                    answer,
                    {
                        "compare": "closer",
                        "a": {"name": a.name, "attrs": da[1]},
                        "b": {"name": b.name, "attrs": db[1]},
                    },
                    choices=None,
                    a=da[0],
                    b=db[0],
                )
        return None


def _subsets(keys: list[str], size: int):
    from itertools import combinations

    return combinations(keys, size)
