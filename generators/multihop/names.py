"""Fictional names built from syllables, so no answer can come from a model's world knowledge.

Every name is drawn from the record's RNG: two to three syllables from a fixed table make a
stem, and a per-type suffix makes it read like a city, a company, a person or an event. Names
in one world are unique (a collision is re-drawn), because documents refer to entities only
by name and the evaluator resolves them by name.
"""

from __future__ import annotations

import numpy as np

ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "th", "br")
ONSETS += ("dr", "kr", "st", "tr", "qu")
VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou", "ae")
CODAS = ("", "", "", "", "", "n", "r", "l", "s", "x", "m")

CITY_SUFFIX = ("holm", "mora", "vik", "dale", "bury", "stad", "port", "ria", "ford", "gard")
COMPANY_SUFFIX = (
    "Industries",
    "Labs",
    "Works",
    "Systems",
    "Group",
    "Dynamics",
    "Foundry",
    "Collective",
)
EVENT_KIND = ("Expo", "Summit", "Fair", "Festival", "Games", "Forum", "Congress")


def _syllable(rng: np.random.Generator) -> str:
    u = rng.random(3)
    return (
        ONSETS[int(u[0] * len(ONSETS))]
        + VOWELS[int(u[1] * len(VOWELS))]
        + CODAS[int(u[2] * len(CODAS))]
    )


def stem(rng: np.random.Generator, syllables: int) -> str:
    return "".join(_syllable(rng) for _ in range(syllables)).capitalize()


class NameMaker:
    """Unique fictional names of one world (one record)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.words: set[str] = set()

    def _unique(self, make) -> str:  # type: ignore[no-untyped-def]
        for _ in range(100):
            name = make()
            words = set(name.lower().split())
            # every distinctive word is unique too, so a name never hides inside another
            if name not in self.used and not (words & self.words):
                self.used.add(name)
                self.words |= {w for w in words if w.lower() not in _COMMON}
                return name
        raise RuntimeError("could not draw a unique name")  # pragma: no cover

    def city(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: (
                stem(rng, 1 + int(rng.random() * 2))
                + CITY_SUFFIX[int(rng.random() * len(CITY_SUFFIX))]
            )
        )

    def company(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: stem(rng, 2) + " " + COMPANY_SUFFIX[int(rng.random() * len(COMPANY_SUFFIX))]
        )

    def person(self) -> str:
        rng = self.rng
        return self._unique(lambda: stem(rng, 2) + " " + stem(rng, 2))

    def event(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: stem(rng, 2) + " " + EVENT_KIND[int(rng.random() * len(EVENT_KIND))]
        )


_COMMON = {s.lower() for s in COMPANY_SUFFIX + EVENT_KIND}
