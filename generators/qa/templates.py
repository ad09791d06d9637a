"""Question templates as data (``prompts/qa.toml``), several paraphrases per kind."""

from __future__ import annotations

from functools import cache

import numpy as np

from synthgen.prompts import load


class Templates:
    """Paraphrases per question kind; ``pick`` chooses one with the sample's RNG."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    def pick(self, kind: str, rng: np.random.Generator) -> tuple[str, str]:
        options = self.table[kind]
        i = int(rng.integers(len(options)))
        return f"{kind}/{i}", options[i]

    def has(self, kind: str) -> bool:
        return kind in self.table


@cache
def default_templates() -> Templates:
    data = load("qa")
    return Templates({kind: list(entry["templates"]) for kind, entry in data.items()})


_IRREGULAR = {
    "torus": "tori",
    "person": "people",
    "man": "men",
    "woman": "women",
    "child": "children",
    "mouse": "mice",
    "foot": "feet",
    "tooth": "teeth",
}


def plural(noun: str) -> str:
    """English plural of a (possibly multi-word) noun phrase's last word."""
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        word = _IRREGULAR[last]
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word
