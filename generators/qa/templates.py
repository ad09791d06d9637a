"""Question templates as data (``prompts/qa.toml``), several paraphrases per kind."""

from __future__ import annotations

import re
from functools import cache, lru_cache

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
    "goose": "geese",
    "ox": "oxen",
    "leaf": "leaves",
    "knife": "knives",
    "wolf": "wolves",
    "scarf": "scarves",
    "shelf": "shelves",
    "cactus": "cacti",
    "hippopotamus": "hippopotami",
    "snowman": "snowmen",
    "tomato": "tomatoes",
    "potato": "potatoes",
    "mango": "mangoes",
    "mosquito": "mosquitoes",
    "buffalo": "buffaloes",
}
"""Plurals no suffix rule makes (the last word of a phrase: "old man" -> "old men")."""

PLURAL_ONLY = frozenset(
    {
        "goggles", "glasses", "sunglasses", "jeans", "shorts", "pants", "trousers",
        "scissors", "headphones", "chopsticks", "skis", "briefs", "grapes", "beans",
        "noodles", "fries", "people", "clothes", "stairs", "books", "shoes",
    }
)  # fmt: skip
"""Last words that are plural in form: their own plural, and no indefinite article
("goggles", never "goggleses" or "a goggles")."""

MASS = frozenset(
    {
        # stuff, not things: "some bread", never "a bread" or "how many breads"
        "bread", "cheese", "meat", "bacon", "butter", "rice", "spaghetti", "sushi", "honey",
        "milk", "popcorn", "broccoli", "garlic", "ginger", "soap", "luggage", "food",
        "toilet paper", "canned food",
        # ground, sky and water as a scene shows them
        "sky", "snow", "grass", "water", "sand", "ice", "dirt", "mud", "tile",
    }
)  # fmt: skip
"""Mass nouns (whole phrases): never counted, no plural, no indefinite article."""

INVARIANT = PLURAL_ONLY | {
    "sheep", "deer", "fish", "bison", "moose", "jellyfish", "shrimp", "aircraft",
}  # fmt: skip
"""Last words whose plural is the word itself."""

_PHRASES = {"bow and arrow": "bows and arrows", "nut and bolt": "nuts and bolts"}
"""Phrases whose plural is not that of their last word."""


@lru_cache(maxsize=8192)
def is_mass(noun: str) -> bool:
    """Whether the phrase's noun (its last word or two) is a mass noun (:data:`MASS`).
    Cached: kinds ask it of a world's few hundred names thousands of times."""
    words = noun.split(" ")
    return words[-1] in MASS or " ".join(words[-2:]) in MASS


@lru_cache(maxsize=8192)  # pure; asked of a world's few hundred names
def plural(noun: str) -> str:
    """English plural of a (possibly multi-word) noun phrase's last word: mass nouns and
    invariant words (:data:`MASS`, :data:`INVARIANT`) stay, irregular ones
    (:data:`_IRREGULAR`) change, then -es / -ies / -s."""
    for one, many in _PHRASES.items():
        if noun == one or noun.endswith(" " + one):
            return noun[: len(noun) - len(one)] + many
    if is_mass(noun):
        return noun
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        word = _IRREGULAR[last]
    elif last in INVARIANT:
        word = last
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def plural_only(noun: str) -> bool:
    """Whether the phrase's last word is plural in form (:data:`PLURAL_ONLY`): such a thing
    is one drawing of a pair or a bunch ("skis", "goggles", "grapes", "books"), so it is
    never counted (a person counts two skis where the graph has one thing)."""
    return noun.rpartition(" ")[2] in PLURAL_ONLY


VOWEL_SOUNDING_EXCEPTIONS = ("hour", "honest", "honor", "heir", "uni", "use", "usu", "uten", "eu")
"""Word starts whose sound is not their letter's: "an hourglass", "a utensil", "a unicorn"."""


@lru_cache(maxsize=8192)  # pure; asked of a world's few hundred names
def article(noun: str) -> str:
    """``a red cube`` / ``an orange`` / ``goggles`` / ``bread``: the indefinite article for
    a noun phrase (none for a plural-only or mass noun)."""
    if plural_only(noun) or is_mass(noun):
        return noun
    vowel = noun[:1] in "aeiou"
    if noun.startswith(VOWEL_SOUNDING_EXCEPTIONS):
        vowel = not vowel
    return f"{'an' if vowel else 'a'} {noun}"


_AGREEING = (
    ("is the {%s}", "are the {%s}"),
    ("Is the {%s}", "Are the {%s}"),
    ("the {%s} is ", "the {%s} are "),
    ("The {%s} is ", "The {%s} are "),
    ("{%s}? Give its ", "{%s}? Give their "),
)
"""The singular forms templates use next to a slot, and their plurals."""


@lru_cache(maxsize=1024)
def _agreeing_slots(text: str) -> tuple[str, ...]:
    """The slots of template ``text`` that a verb or pronoun agrees with (cached per
    template: most have none, and then nothing is looked at per question)."""
    slots = []
    for name in re.findall(r"\{(\w+)\}", text):
        if name not in slots and any(one % name in text for one, _ in _AGREEING):
            slots.append(name)
    return tuple(slots)


@lru_cache(maxsize=1024)
def _agreeing(text: str, plural_slots: tuple[str, ...]) -> str:
    """``text`` with the verbs and pronouns of ``plural_slots`` made plural."""
    for slot in plural_slots:
        for one, many in _AGREEING:
            text = text.replace(one % slot, many % slot)
    return text


def agree(text: str, slots: dict[str, object]) -> str:
    """Template ``text`` with its verbs agreeing with the noun phrases put in its slots:
    "Where are the sunglasses? Give their bounding box", "the skis are" (a plural-only
    noun, :data:`PLURAL_ONLY`, takes a plural verb). Templates are written for the
    singular; only the forms of :data:`_AGREEING` occur in them next to a slot."""
    agreeing = _agreeing_slots(text)
    if not agreeing:
        return text
    plural_slots = tuple(k for k in agreeing if plural_only(str(slots.get(k, ""))))
    return _agreeing(text, plural_slots) if plural_slots else text


def be(noun: str) -> str:
    """``is`` / ``are``: the verb a noun phrase takes ("are the skis", "is the bee")."""
    return "are" if plural_only(noun) else "is"


SAID = {
    "left of": "to the left of",
    "right of": "to the right of",
    "closer than": "closer to the camera than",
    "farther than": "farther from the camera than",
    "laying on": "lying on",
}
"""How a question or answer says a predicate, where the graph's word is not what a
person says ("the cube is to the left of the sphere"; "closer to the camera than", never a
bare "closer than the cylinder")."""


def say(pred: str) -> str:
    """A predicate as English says it (:data:`SAID`)."""
    return SAID.get(pred, pred)


def say_all(preds: list[str]) -> str:
    """Predicates as an answer lists them: said, joined by ", " (in the given order)."""
    return ", ".join(say(p) for p in preds)


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
