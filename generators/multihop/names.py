"""Fictional names built from syllables, so no answer can come from a model's world knowledge.

Every name is drawn from the record's RNG: one to two syllables (cities) or two (everything
else) from a fixed table make a stem, and a per-type suffix makes it read like a city, a
company, a person or an event. Each name takes one block of uniforms from the RNG.

Two guards, both re-drawing the name:

* uniqueness in the world: documents refer to entities only by name and the evaluator
  resolves them by name, so no two entities share a name or a distinctive word;
* real names: the syllable grammar can spell real places, brands and people ("Volvo Group",
  "Narvik", "Davos Forum", "Putin"). :data:`REAL_NAMES` lists the ones it can form, found
  by matching a hand-collected list of about 1,100 well-known names (brands, cities,
  countries, public figures, common first names) against the grammar; a stem or a whole
  name in the list is never used. Rare coincidences with obscure real names remain possible.
"""

from __future__ import annotations

from collections.abc import Callable

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
EVENT_KIND = ("Expo", "Summit", "Fair", "Festival", "Show", "Forum", "Congress")

_REAL = """
    baba baidu baku bali balmain banbury bandai bari basel basra bata bava bebe belem benin
    bergen berlin bezos bibi biden bobo boden bodo bono borges boris bose boston braga bremen
    beria bulgaria burgas burgos bursa busan dabur dada daegu dakar dali dallas dalvik dana danbury
    dante davenport davos denis denner denver didi dodo dole dora doris dove dover drake
    drammen dresden dubai durban durex falun fanta fargo faro fendi festo feta fifi fila forde
    forli gabon gates gaza geilo gigi gin giza gouda kabul kaka kalix kano kanpur kassel kate
    kazan kenzo kiki kinder kira kirin kobe koge koko kota kuka kumla lada lagos lakeport lala
    lanvin lara larvik lego leirvik lena lenin lennon levi levik levis liberia lille lima lisa
    lisbon lola lome lonza lotus lourdes lugo lukas lula lulu lux mali malmo malta malvik mama
    mandal mango maria medan merkel mesa messi mila milan milei milford milka milo mimi mini
    mira miro modi molde momo mona mora mosul muller mumbai nadal nana nantes nara narva
    narvik nasser natal nene nepal nero nestor nigeria nike nikon nikos nimes nina nissan
    nobel nolan nono nora palmas papa paris parma patras pele peron peru petro pisa porto pula
    puma pune putin quito rado raipur raki ravel rennes reno rere ribe riga riri rizal roku
    rolex rome romford roros rosa rose rosedale rosso rover rum rumi saigon sake sala salem
    salford salisbury salta santos sara sega seiko sendai senna siberia silva sivas sonos
    soria soro soros souza stalin stamford stilton sudan sulzer susu tabor tainan taipei
    tampa tango tanta tara tartu tata tefal telford tema tempe terni tesla tete tetris
    tidaholm timex tina tinder tisbury tisdale tito tizer togo tomas tonder tonka torun total
    toto toulon tranas trani trento trenton tromso tudor tula tulsa tunis turin turku tutu
    vara varde vardo varna vasa vera verde verdi verga verne vespa vigo vimto visa volos
    volvo zadar zamora zara zelda zora zuzu
"""
REAL_NAMES = frozenset(_REAL.split())
"""Real names the syllable grammar can spell (lower case); see the module docstring."""

_COMMON = frozenset(s.lower() for s in COMPANY_SUFFIX + EVENT_KIND)


def stem(u: list[float]) -> str:
    """A capitalised stem of ``len(u) // 3`` syllables from uniforms in [0, 1)."""
    out = []
    for k in range(0, len(u) - 2, 3):
        out.append(ONSETS[int(u[k] * len(ONSETS))])
        out.append(VOWELS[int(u[k + 1] * len(VOWELS))])
        out.append(CODAS[int(u[k + 2] * len(CODAS))])
    return "".join(out).capitalize()


class NameMaker:
    """Unique fictional names of one world (one record), never a name in REAL_NAMES."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.words: set[str] = set()

    def _unique(self, draws: int, make: Callable[[list[float]], tuple[str, list[str]]]) -> str:
        """The first name from ``make`` (given ``draws`` fresh uniforms) whose stems are not
        real names and whose distinctive words no earlier name of the world uses."""
        for _ in range(100):
            name, stems = make(self.rng.random(draws).tolist())
            words = {w for w in name.lower().split() if w not in _COMMON}
            real = name.lower() in REAL_NAMES or not REAL_NAMES.isdisjoint(map(str.lower, stems))
            # every distinctive word is unique too, so a name never hides inside another
            if not real and name not in self.used and words.isdisjoint(self.words):
                self.used.add(name)
                self.words |= words
                return name
        raise RuntimeError("could not draw a unique name")  # pragma: no cover

    def city(self) -> str:
        def make(u: list[float]) -> tuple[str, list[str]]:
            s = stem(u[1 : 4 if u[0] < 0.5 else 7])
            return s + CITY_SUFFIX[int(u[7] * len(CITY_SUFFIX))], [s]

        return self._unique(8, make)

    def company(self) -> str:
        def make(u: list[float]) -> tuple[str, list[str]]:
            s = stem(u[:6])
            return f"{s} {COMPANY_SUFFIX[int(u[6] * len(COMPANY_SUFFIX))]}", [s]

        return self._unique(7, make)

    def person(self) -> str:
        def make(u: list[float]) -> tuple[str, list[str]]:
            first, last = stem(u[:6]), stem(u[6:])
            return f"{first} {last}", [first, last]

        return self._unique(12, make)

    def event(self) -> str:
        def make(u: list[float]) -> tuple[str, list[str]]:
            s = stem(u[:6])
            return f"{s} {EVENT_KIND[int(u[6] * len(EVENT_KIND))]}", [s]

        return self._unique(7, make)
