"""Plausible wrong answers for multiple choice, by answer type.

Distractors come from the same domain as the answer (other counts near it, other values of
the same attribute type, other objects of the question, other predicate sets), so a model
cannot pick the answer by its form alone. The suite removes any that equal the answer.
"""

from __future__ import annotations

from synthgen.generators.qa.base import QA
from synthgen.generators.qa.graph import QAGraph

try:  # the procedural world's closed vocabulary, when present
    from synthgen.world.vocab import COLORS, MATERIALS, SIZES

    VOCAB: dict[str, list[str]] = {
        "color": list(COLORS),
        "material": list(MATERIALS),
        "size": list(SIZES),
    }
except ImportError:  # pragma: no cover
    VOCAB = {}

OPPOSITE = {
    "left of": "right of",
    "right of": "left of",
    "in front of": "behind",
    "behind": "in front of",
    "bigger than": "smaller than",
    "smaller than": "bigger than",
    "closer than": "farther than",
    "farther than": "closer than",
}


def _attribute_values(g: QAGraph, key: str) -> list[str]:
    seen = {o.attrs[key] for o in g.objects if key in o.attrs}
    return sorted(seen | set(VOCAB.get(key, [])))


def distractors_for(qa: QA, g: QAGraph) -> list[str]:
    """Candidate wrong answers for ``qa`` (may include the answer; the caller drops it)."""
    if qa.answer_type == "count":
        n = int(qa.answer)
        return [str(v) for v in (n - 2, n - 1, n + 1, n + 2, n + 3) if v >= 0]
    if qa.answer_type == "attribute":
        key = qa.program.get("query")
        if key in VOCAB or key in {k for o in g.objects for k in o.attrs}:
            return _attribute_values(g, key)
        if key == "attributes":
            words = qa.answer.split()
            out = []
            for i, word in enumerate(words):
                for key_name, values in VOCAB.items():
                    if word in values:
                        out += [
                            " ".join([*words[:i], v, *words[i + 1 :]]) for v in values if v != word
                        ]
                        del key_name
            return out
        return []
    if qa.answer_type == "relation":
        preds = qa.answer.split(", ")
        out = []
        for i, p in enumerate(preds):
            if p in OPPOSITE:
                out.append(", ".join([*preds[:i], OPPOSITE[p], *preds[i + 1 :]]))
        return out
    if qa.answer_type == "name":
        a, b = qa.program.get("a"), qa.program.get("b")
        return [x for x in (_phrase(a), _phrase(b)) if x]
    return []


def _phrase(ref: dict | None) -> str | None:
    if not ref:
        return None
    from synthgen.generators.qa.refexp import phrase

    return phrase(ref["name"], ref.get("attrs", {}))
