"""The phrasebook: caption pieces, joiners and QA templates of ``prompts/audio_captions.toml``.

Wording is data, so phrasings can be added without touching code; the file's hash goes into
every record's lineage. :meth:`Phrasebook.mentions_of` gives the words that identify a sound
class in any text (a caption, a rewritten caption): a class is *mentioned* when one of its
words appears as a word, optionally with an -s/-es/-ing/-ed ending.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np

from synthgen.prompts import load, text_sha256
from synthgen.world.sound import SoundEvent

PROMPT_NAME = "audio_captions"
T = TypeVar("T")


@dataclass(frozen=True)
class ClassPhrases:
    """How one sound class is named: label text (AudioSet style), QA name and indefinite
    form, mention words, clauses ("a bell rings twice"), phrases ("a bell ringing twice"),
    short nouns ("three knocks"), background noun phrases (ambient classes) and counting
    questions (countable classes)."""

    label: str
    name: str
    a: str
    mentions: tuple[str, ...]
    clause: tuple[str, ...]
    phrase: tuple[str, ...]
    noun: tuple[str, ...]
    background: tuple[str, ...] = ()
    count_question: tuple[str, ...] = ()
    detailed: tuple[str, ...] = ()


def pick(options: Sequence[T], rng: np.random.Generator) -> T:
    """One option, uniformly, with the clip's RNG (one ``integers`` draw)."""
    return options[int(rng.integers(len(options)))]


def mention_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in words)
    return re.compile(rf"\b(?:{alt})(?:s|es|ing|ed)?\b", re.IGNORECASE)


class Phrasebook:
    """Parsed ``audio_captions.toml`` (see the module docstring)."""

    def __init__(self, data: dict[str, Any], sha256: str) -> None:
        self.data = data
        self.sha256 = sha256
        self.classes = {
            name: ClassPhrases(
                label=entry["label"],
                name=entry["name"],
                a=entry["a"],
                mentions=tuple(entry["mentions"]),
                clause=tuple(entry["clause"]),
                phrase=tuple(entry["phrase"]),
                noun=tuple(entry["noun"]),
                background=tuple(entry.get("background", ())),
                count_question=tuple(entry.get("count_question", ())),
                detailed=tuple(entry.get("detailed", ())),
            )
            for name, entry in data["classes"].items()
        }
        self.instruments: dict[str, dict[str, str]] = data["instruments"]
        self.speakers: dict[str, str] = data["speakers"]
        self.times: list[str] = data["numbers"]["times"]
        self.counts: list[str] = data["numbers"]["count"]
        self.short: dict[str, Any] = data["short"]
        self.detailed: dict[str, Any] = data["detailed"]
        self.qa: dict[str, list[str]] = {k: v["templates"] for k, v in data["qa"].items()}
        self.rewrite: dict[str, str] = data["rewrite"]
        self.noise: dict[str, list[str]] = data["background_noise"]
        self._patterns = {k: mention_pattern(v.mentions) for k, v in self.classes.items()}

    @classmethod
    @cache
    def default(cls) -> Phrasebook:
        text = (
            resources.files("synthgen.prompts")
            .joinpath(f"{PROMPT_NAME}.toml")
            .read_text(encoding="utf-8")
        )
        return cls(load(PROMPT_NAME), text_sha256(text))

    def of(self, event: SoundEvent) -> ClassPhrases:
        return self.classes[event.label]

    def slots(self, event: SoundEvent) -> dict[str, str]:
        """Values of the template slots for ``event``."""
        reps = max(1, event.repetitions)
        timbre = event.timbre or ""
        inst = self.instruments.get(timbre, {})
        return {
            "times": self.times[min(reps, len(self.times)) - 1],
            "count": self.counts[min(reps, len(self.counts)) - 1],
            "instrument": inst.get("noun", "an instrument"),
            "inst": timbre or "instrument",
            "speaker": self.speakers.get(timbre, "someone"),
            "text": event.text or "",
        }

    def clause(self, event: SoundEvent, rng: np.random.Generator) -> str:
        return pick(self.of(event).clause, rng).format(**self.slots(event))

    def detailed_clause(self, event: SoundEvent, rng: np.random.Generator) -> str:
        """The class's ``detailed`` clause (e.g. speech with its words), else a clause."""
        options = self.of(event).detailed or self.of(event).clause
        return pick(options, rng).format(**self.slots(event))

    def phrase(self, event: SoundEvent, rng: np.random.Generator) -> str:
        return pick(self.of(event).phrase, rng).format(**self.slots(event))

    def noun(self, event: SoundEvent, rng: np.random.Generator) -> str:
        return pick(self.of(event).noun, rng).format(**self.slots(event))

    def background_phrase(self, event: SoundEvent, rng: np.random.Generator) -> str:
        options = self.of(event).background or self.of(event).phrase
        return pick(options, rng).format(**self.slots(event))

    def label(self, event: SoundEvent) -> str:
        """The event's label text: its instrument for music, else its class label."""
        inst = self.instruments.get(event.timbre or "")
        if inst and event.label in ("note", "chord", "melody"):
            return inst["label"]
        return self.of(event).label

    def mentioned(self, label: str, text: str) -> list[int]:
        """Character positions where class ``label`` is mentioned in ``text``."""
        return [m.start() for m in self._patterns[label].finditer(text)]

    def count_words(self, repetitions: int) -> tuple[str, ...]:
        """Ways a caption may state ``repetitions``: "twice", "two", "2"."""
        i = min(repetitions, len(self.times)) - 1
        return (self.times[i], self.counts[i], str(repetitions))
