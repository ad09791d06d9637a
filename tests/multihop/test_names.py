"""Fictional names: a real name the syllable grammar happens to spell is re-drawn, and names
in one world never share a distinctive word."""

from __future__ import annotations

import numpy as np

from synthgen.generators.multihop import names
from synthgen.generators.multihop.world import sample_world

Syllable = tuple[str, str, str]


def _u(table: tuple[str, ...], item: str) -> float:
    """A uniform that selects ``item`` from ``table`` (the first index holding it)."""
    return (table.index(item) + 0.5) / len(table)


def _stem(*syllables: Syllable) -> list[float]:
    out = []
    for onset, vowel, coda in syllables:
        out += [_u(names.ONSETS, onset), _u(names.VOWELS, vowel), _u(names.CODAS, coda)]
    return out


class Scripted:
    """An RNG stand-in whose ``random(n)`` returns the scripted blocks in order."""

    def __init__(self, *blocks: list[float]) -> None:
        self.blocks = list(blocks)

    def random(self, n: int) -> np.ndarray:
        block = self.blocks.pop(0)
        assert len(block) == n, (len(block), n)
        return np.array(block)


VOLVO = _stem(("v", "o", "l"), ("v", "o", ""))
TORMEX = _stem(("t", "o", "r"), ("m", "e", "x"))


def test_real_company_event_and_person_names_are_redrawn() -> None:
    group = [_u(names.COMPANY_SUFFIX, "Group")]
    maker = names.NameMaker(Scripted(VOLVO + group, TORMEX + group))  # type: ignore[arg-type]
    assert maker.company() == "Tormex Group"

    davos = [*_stem(("d", "a", ""), ("v", "o", "s")), _u(names.EVENT_KIND, "Forum")]
    maker = names.NameMaker(Scripted(davos, [*TORMEX, davos[-1]]))  # type: ignore[arg-type]
    assert maker.event() == "Tormex Forum"

    putin = _stem(("p", "u", ""), ("t", "i", "n"))
    maker = names.NameMaker(Scripted(TORMEX + putin, TORMEX + VOLVO, TORMEX + TORMEX))  # type: ignore[arg-type]
    assert maker.person() == "Tormex Tormex"


def test_real_city_names_are_redrawn() -> None:
    # one syllable + "vik" spells Narvik; the stem "Berlin" + "holm" is refused too
    narvik = [0.1, *_stem(("n", "a", "r")), 0.0, 0.0, 0.0, _u(names.CITY_SUFFIX, "vik")]
    berlin = [0.9, *_stem(("b", "e", "r"), ("l", "i", "n")), _u(names.CITY_SUFFIX, "holm")]
    tormex = [0.9, *TORMEX, _u(names.CITY_SUFFIX, "holm")]
    maker = names.NameMaker(Scripted(narvik, berlin, tormex))  # type: ignore[arg-type]
    assert maker.city() == "Tormexholm"


def test_names_in_a_world_share_no_distinctive_word() -> None:
    for seed in range(300):
        world = sample_world(np.random.default_rng(seed))
        everyone = [n for kind in world.entities.values() for n in kind]
        assert len(everyone) == len(set(everyone)) == 18
        common = {s.lower() for s in names.COMPANY_SUFFIX + names.EVENT_KIND}
        words = [w.lower() for n in everyone for w in n.split() if w.lower() not in common]
        assert len(words) == len(set(words))
        stems = {w for n in everyone for w in n.lower().split()}
        assert not stems & {"volvo", "lego", "tesla", "narvik", "davos", "berlin", "putin"}
