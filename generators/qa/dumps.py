"""Scene-graph dumps (ProVision's list kinds): the object list, the attribute list, one
object's relation list, and a caption-like description whose every claim holds.

Answers are long and deterministic in form (sorted), so they teach a model to read a whole
scene; they are never multiple choice.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from synthgen.generators.qa.base import QA, QuestionKind, question_kinds
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.programs import pick, ref, sample
from synthgen.generators.qa.templates import (
    Templates,
    article,
    be,
    counted,
    is_mass,
    plural,
    say,
)

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@question_kinds.register
class ObjectList(QuestionKind):
    """Every object name with its count: ``2 cubes, 1 sphere``."""

    name = "object_list"
    family = "scene_graph"
    answer_type = "list"

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if not g.objects:
            return None
        counts = g.name_counts
        if g.lexicon is not None:
            # an open world: no parts (named on only some things); a number only where the
            # name's count is exact (counted, and denoting just the objects named so), else
            # the bare name (plural when several are named); mass nouns bare
            names = _listed(g)
            answer = ", ".join(_open_item(g, n, False) for n in names)
            program = {"op": "object_list", "counted": _counted(g), "names": names}
            return self.make(t, rng, answer, program)
        answer = ", ".join(counted(counts[n], n) for n in sorted(counts))
        return self.make(t, rng, answer, {"op": "object_list"})


@question_kinds.register
class AttributeList(QuestionKind):
    """Every object with all its typed attributes, sorted: ``large red metal cube; ...``."""

    name = "attribute_list"
    family = "scene_graph"
    answer_type = "list"
    requires = frozenset({"typed_attributes"})
    excludes = frozenset({"world"})  # see ask: not asked of open worlds' real things

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if not g.objects or g.lexicon is not None:
            # an open world's things have no size and material, people no colour: the
            # question ("with its size, color and material") does not fit them
            return None
        answer = "; ".join(sorted(g.descriptions))
        return self.make(t, rng, answer, {"op": "attribute_list"})


@question_kinds.register
class RelationList(QuestionKind):
    """All relations of one object to the others: ``left of the red cube; behind the
    sphere``. Skipped when a related object has no unique description.

    Not asked of open worlds' real things: there the list is the subject's placed
    relations, which its name and the scene give away ("the dove" -> "flying in the sky;
    over the water", "the laptop" -> "on the desk"): a question-only model beat the
    per-type majority by 34-47 points, and by 16 with subjects of two related things or
    more (600 QA each); list answers cannot be flattened. ``relation_object`` /
    ``relation_subject`` ask the same relations one at a time, predicate given."""

    name = "relation_list"
    family = "scene_graph"
    answer_type = "list"
    requires = frozenset({"relations"})
    excludes = frozenset({"world"})  # see ask: not asked of open worlds' real things

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if g.world is not None:
            return None
        refs = g.refs
        between = g.spatial_between
        subjects = sorted({s for s, _ in between if refs[s] is not None})
        if not subjects:
            return None
        s = pick(rng, subjects)
        items = []
        for (a, b), preds in between.items():
            if a != s:
                continue
            if refs[b] is None:
                return None
            items += [(p, refs[b][0], b) for p in preds]  # type: ignore[index]
        items.sort()
        program = {
            "op": "relation_list",
            "subject": ref(g.by_id[s].name, refs[s][1]),  # type: ignore[index]
            "items": [{"pred": p, "object": ref(g.by_id[b].name, refs[b][1])} for p, _, b in items],  # type: ignore[index]
        }
        answer = "; ".join(f"{say(p)} the {text}" for p, text, _ in items)
        return self.make(t, rng, answer, program, obj=refs[s][0])  # type: ignore[index]


@question_kinds.register
class Caption(QuestionKind):
    """A caption: how many objects, what they are, and up to two relations that hold
    between uniquely described objects."""

    name = "caption"
    family = "scene_graph"
    answer_type = "text"

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if not g.objects:
            return None
        n = len(g.objects)
        if g.lexicon is None:
            described = Counter(g.descriptions)
            parts = [
                article(d) if c == 1 else f"{_number(c)} {plural(d)}"
                for d, c in sorted(described.items())
            ]
            text = f"There {'is' if n == 1 else 'are'} {counted(n, 'object')}: {_join(parts)}."
        else:
            # an open world names only some of what shows (parts, stuff): no total, the
            # things only, and a number only for names counted exactly
            things = _listed(g, things_only=True)
            if not things:
                return None
            text = f"The image shows {_join([_open_item(g, n, True) for n in things])}."
        refs = g.refs
        pairs = [p for p in g.spatial_between if refs[p[0]] and refs[p[1]]]
        pairs.sort()
        claims = []
        if pairs:
            for s, o in sample(rng, pairs, min(2, len(pairs))):
                p = pick(rng, g.spatial_between[(s, o)])
                a, b = refs[s], refs[o]
                claims.append(
                    {
                        "subject": ref(g.by_id[s].name, a[1]),  # type: ignore[index]
                        "pred": p,
                        "object": ref(g.by_id[o].name, b[1]),  # type: ignore[index]
                    }
                )
                text += f" The {a[0]} {be(a[0])} {say(p)} the {b[0]}."  # type: ignore[index]
        if g.lexicon is not None:
            program = {
                "op": "describe",
                "counted": _counted(g),
                "names": things,
                "claims": claims,
            }
        else:
            program = {
                "op": "describe",
                "count": n,
                "objects": sorted(g.descriptions),
                "claims": claims,
            }
        return self.make(t, rng, text, program)


def _listed(g: QAGraph, things_only: bool = False) -> list[str]:
    """Names an open world's list or caption gives: no parts; with ``things_only`` no
    backdrop pieces either (the sky, the floor); sorted."""
    facts = g.world
    out = set()
    for o in g.objects:
        role = facts.role.get(o.id, "thing") if facts is not None else "thing"
        if role == "part" or (things_only and role != "thing"):
            continue
        out.add(o.name)
    return sorted(out)


def _open_item(g: QAGraph, name: str, number: bool) -> str:
    """One name of an open world's list: ``2 dogs`` / ``two dogs`` (counted exactly:
    :meth:`QAGraph.exact`), ``a dog`` / ``1 dog``, else ``dogs`` (several named,
    more may hide) or ``dog`` / ``a dog``; mass nouns bare."""
    n = g.name_counts[name]
    key = (name, n, g.exact(name), number)
    got = _OPEN_ITEMS.get(key)
    if got is None:
        if len(_OPEN_ITEMS) > 100_000:
            _OPEN_ITEMS.clear()
        got = _OPEN_ITEMS[key] = _item_text(*key)
    return got


_OPEN_ITEMS: dict[tuple[str, int, bool, bool], str] = {}
"""(name, count, exact, number) -> :func:`_open_item`'s text (a world's lists repeat the
same few hundred)."""


def _item_text(name: str, n: int, exact: bool, number: bool) -> str:
    """:func:`_open_item` of ``name`` counted ``n`` times, exactly or not."""
    if is_mass(name):
        return name
    if exact:
        if number:
            return article(name) if n == 1 else f"{_number(n)} {plural(name)}"
        return counted(n, name)
    if n > 1:
        return plural(name)
    return article(name) if number else name


def _counted(g: QAGraph) -> dict[str, int]:
    """name -> count for the names an open world's list or caption gives a number (those
    :meth:`QAGraph.exact` holds for): worked out once per graph (kept in the view's
    ``__dict__``, as the cached properties are: object_list and caption both give it), a
    fresh dict each time (it goes into a program)."""
    got = g.__dict__.get("_dumps_counted")
    if got is None:
        got = g.__dict__["_dumps_counted"] = {
            n: g.name_counts[n] for n in sorted(g.name_counts) if g.exact(n)
        }
    return dict(got)


def _number(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
