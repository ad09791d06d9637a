"""Plausible wrong answers for multiple choice, by answer type.

Distractors come from the same domain as the answer (the other options the question lists,
other counts near it, other values of the same attribute type, other objects' boxes or
descriptions, other predicate sets), so a model cannot pick the answer by its form alone.
Every kind's answer is unique, so anything different from it is wrong; the suite drops any
candidate equal to the answer.
"""

from __future__ import annotations

from synthgen.generators.qa.base import QA
from synthgen.generators.qa.graph import OPPOSITE, QAGraph
from synthgen.generators.qa.refexp import region
from synthgen.generators.qa.templates import SAID, say_all

try:  # the procedural world's closed vocabulary, when present
    from synthgen.world.vocab import COLORS, MATERIALS, SIZES

    VOCAB: dict[str, list[str]] = {
        "color": list(COLORS),
        "material": list(MATERIALS),
        "size": list(SIZES),
    }
except ImportError:  # pragma: no cover
    VOCAB = {}

__all__ = ["OPPOSITE", "VOCAB", "distractors_for"]


def _attribute_values(g: QAGraph, key: str) -> list[str]:
    seen = {o.attrs[key] for o in g.objects if key in o.attrs}
    if g.world is not None:  # an open world's words, not the shapes world's rubber
        from synthgen.generators.qa.sources import COLOR_WORDS, MATERIAL_WORDS

        words = {"color": COLOR_WORDS, "material": MATERIAL_WORDS[1:]}.get(key, ())
        return sorted(seen | set(words))
    return sorted(seen | set(VOCAB.get(key, [])))


def distractors_for(qa: QA, g: QAGraph | None) -> list[str]:
    """Candidate wrong answers for ``qa`` (may include the answer; the caller drops it).

    ``g`` is the graph the question is about (None for multi-image questions)."""
    options = qa.program.get("options")
    if options is not None:
        return [o for o in options if o != qa.answer]
    if qa.answer_type == "count":
        n = int(qa.answer)
        return [str(v) for v in (n - 2, n - 1, n + 1, n + 2, n + 3) if v >= 0]
    if g is None:
        return []
    if qa.answer_type == "attribute":
        key = qa.program.get("query")
        if key in VOCAB or key in g.typed_keys:
            return _attribute_values(g, key)
        if key == "attributes":
            return _swap_one_word(qa.answer)
        return []
    if qa.answer_type == "relation":
        # Swap any non-empty subset of the decided predicates to their opposites: every
        # such set states something false about the pair.
        unsaid = {said: p for p, said in SAID.items()}
        preds = [unsaid.get(x, x) for x in qa.answer.split(", ")]
        flippable = [i for i, p in enumerate(preds) if p in OPPOSITE]
        out = []
        for mask in range(1, 1 << len(flippable)):
            flip = {flippable[b] for b in range(len(flippable)) if mask >> b & 1}
            swapped = sorted(OPPOSITE[p] if i in flip else p for i, p in enumerate(preds))
            out.append(say_all(swapped))
        return out
    if qa.answer_type == "name":
        if g.world is not None:
            return _world_names(qa, g)
        return sorted({r[0] for r in g.refs.values() if r is not None})
    if qa.answer_type == "box":
        return sorted({region(o) for o in g.objects})
    return []


PERSON_PARTS = frozenset(
    {"arm", "face", "hair", "hand", "head", "leg", "pants", "shirt", "shoe", "foot"}
)
"""Parts of people (the rest of an open world's part words are things' parts)."""

BACKDROP = ("floor", "grass", "sand", "sidewalk", "snow", "street", "table", "track", "water")
"""Ground words: the distractors of "what is the woman standing on"."""


def _world_names(qa: QA, g: QAGraph) -> list[str]:
    """Names of an open world's kinds: other scene types, other parts, or other categories
    of the answer thing's kind (a cat's distractors are animals, not forks)."""
    facts = g.world
    assert facts is not None
    op = qa.program.get("op")
    if op == "scene_type":
        return list(qa.program["scene_types"])
    if op == "part_at_point":
        # a person's parts for a person, a thing's for a thing (no "pants" of a counter)
        whole = qa.program["whole"]["name"]
        person = any(facts.group.get(o.id) == "person" for o in g.objects if o.name == whole)
        return [p for p in facts.parts if (p in PERSON_PARTS) == person]
    category = next(
        (facts.category[o.id] for o in g.objects if o.name == qa.answer and o.id in facts.category),
        None,
    )
    if category is None:
        return []
    if facts.role.get(next(o.id for o in g.objects if o.name == qa.answer)) == "backdrop":
        # not the piece's own kind: a tiled floor is "tile", and "floor" names it too
        return [b for b in BACKDROP if b != category]
    return list(facts.siblings.get(category, ()))


def _swap_one_word(answer: str) -> list[str]:
    """``large red metal`` -> ``small red metal``, ``large blue metal``, ..."""
    words = answer.split()
    out = []
    for i, word in enumerate(words):
        for values in VOCAB.values():
            if word in values:
                out += [" ".join([*words[:i], v, *words[i + 1 :]]) for v in values if v != word]
    return out
