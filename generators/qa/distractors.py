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
        preds = qa.answer.split(", ")
        flippable = [i for i, p in enumerate(preds) if p in OPPOSITE]
        out = []
        for mask in range(1, 1 << len(flippable)):
            flip = {flippable[b] for b in range(len(flippable)) if mask >> b & 1}
            swapped = sorted(OPPOSITE[p] if i in flip else p for i, p in enumerate(preds))
            out.append(", ".join(swapped))
        return out
    if qa.answer_type == "name":
        return sorted({r[0] for r in g.refs.values() if r is not None})
    if qa.answer_type == "box":
        return sorted({region(o) for o in g.objects})
    return []


def _swap_one_word(answer: str) -> list[str]:
    """``large red metal`` -> ``small red metal``, ``large blue metal``, ..."""
    words = answer.split()
    out = []
    for i, word in enumerate(words):
        for values in VOCAB.values():
            if word in values:
                out += [" ".join([*words[:i], v, *words[i + 1 :]]) for v in values if v != word]
    return out
