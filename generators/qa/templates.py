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
        i = int(rng.random() * len(options))
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


def article(noun: str) -> str:
    """``a red cube`` / ``an orange``: the indefinite article for a noun phrase."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def either(texts: list[str], article_: str = "the ", conjunction: str = "or") -> str:
    """``the A or the B`` / ``the A, the B or the C``: options as the question lists them
    (``conjunction="and"`` for "among the A, the B and the C")."""
    items = [f"{article_}{x}" for x in texts]
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def counted(n: int, noun: str) -> str:
    """``1 cube`` / ``3 cubes``."""
    return f"{n} {noun if n == 1 else plural(noun)}"
