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
from synthgen.generators.qa.templates import Templates, article, counted, plural

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
            # an open world: a number only where the name's count is exact (the name is
            # counted and denotes just the objects named so), else the bare name
            answer = ", ".join(
                counted(counts[n], n) if g.exact(n) else n for n in sorted(counts)
            )
            return self.make(t, rng, answer, {"op": "object_list", "counted": _counted(g)})
        answer = ", ".join(counted(counts[n], n) for n in sorted(counts))
        return self.make(t, rng, answer, {"op": "object_list"})


@question_kinds.register
class AttributeList(QuestionKind):
    """Every object with all its typed attributes, sorted: ``large red metal cube; ...``."""

    name = "attribute_list"
    family = "scene_graph"
    answer_type = "list"
    requires = frozenset({"typed_attributes"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        if not g.objects:
            return None
        answer = "; ".join(sorted(g.descriptions))
        return self.make(t, rng, answer, {"op": "attribute_list"})


@question_kinds.register
class RelationList(QuestionKind):
    """All relations of one object to the others: ``left of the red cube; behind the
    sphere``. Skipped when a related object has no unique description."""

    name = "relation_list"
    family = "scene_graph"
    answer_type = "list"
    requires = frozenset({"relations"})

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        refs = g.refs
        subjects = sorted({s for s, _ in g.spatial_between if refs[s] is not None})
        if not subjects:
            return None
        s = pick(rng, subjects)
        items = []
        for (a, b), preds in g.spatial_between.items():
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
        answer = "; ".join(f"{p} the {text}" for p, text, _ in items)
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
        described = Counter(g.descriptions)
        parts = [
            article(d) if c == 1 else f"{_number(c)} {plural(d)}"
            for d, c in sorted(described.items())
        ]
        n = len(g.objects)
        text = f"There {'is' if n == 1 else 'are'} {counted(n, 'object')}: {_join(parts)}."
        if g.lexicon is not None:
            # an open world names only some of what shows (parts, stuff): no total, and a
            # number only for names counted exactly
            counts = g.name_counts
            parts = [
                (article(x) if counts[x] == 1 else f"{_number(counts[x])} {plural(x)}")
                if g.exact(x)
                else x
                for x in sorted(counts)
            ]
            text = f"The image shows {_join(parts)}."
        refs = g.refs
        pairs = [p for p in sorted(g.spatial_between) if refs[p[0]] and refs[p[1]]]
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
                text += f" The {a[0]} is {p} the {b[0]}."  # type: ignore[index]
        program = {
            "op": "describe",
            "count": n,
            "objects": sorted(g.descriptions),
            "claims": claims,
        }
        if g.lexicon is not None:
            program = {"op": "describe", "counted": _counted(g), "claims": claims}
        return self.make(t, rng, text, program)


def _counted(g: QAGraph) -> dict[str, int]:
    """name -> count for the names an open world's list or caption gives a number."""
    return {n: g.name_counts[n] for n in sorted(g.name_counts) if g.exact(n)}


def _number(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
