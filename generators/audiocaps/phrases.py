"""The phrasebook: caption pieces, joiners and QA templates of ``prompts/audio_captions.toml``.

Wording is data, so phrasings can be added without touching code; the file's hash goes into
every record's lineage. :meth:`Phrasebook.mentions_of` gives the words that identify a sound
class in any text (a caption, a rewritten caption): a class is *mentioned* when one of its
words appears as a word, optionally with an -s/-es/-ing/-ed ending.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from synthgen.cachedir import cached_bytes
from synthgen.prompts import text_sha256
from synthgen.world.sound import SoundEvent

PROMPT_NAME = "audio_captions"
CLASSES_NAME = "audio_classes"
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


def _number(options: tuple[str, ...], event: SoundEvent) -> tuple[str, ...]:
    """``{count}`` templates are plural ("{count} knocks"): a single repetition takes the
    options without it when there are any."""
    if event.repetitions == 1:
        return tuple(t for t in options if "{count}" not in t) or options
    return options


def mention_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # longest first
    return re.compile(rf"\b(?:{alt})(?:s|es|ing|ed)?\b", re.IGNORECASE)


TOML_CACHE = "prompts-json"
"""Cache folder of the phrasebook's TOML files parsed, as JSON text."""


def parsed_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, kept as JSON in the per-machine cache under the text's hash:
    the two phrasebook files take 25-40 ms of CPU to parse with the pure-Python TOML parser,
    their JSON a few ms to read (a one-record replay, issue #16). Values JSON cannot hold
    (TOML dates) are parsed every time."""
    key = {"what": "toml parsed", "sha256": hashlib.sha256(text.encode()).hexdigest()}
    key["python"] = sys.version

    def build() -> bytes:
        return json.dumps(tomllib.loads(text), ensure_ascii=False).encode()

    try:
        return json.loads(cached_bytes(TOML_CACHE, key, build))
    except TypeError:  # a TOML date or time: not JSON
        return tomllib.loads(text)


def _class_phrases(entry: dict[str, Any]) -> ClassPhrases:
    return ClassPhrases(
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


def merge_classes(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` (audio_captions.toml) with ``extra`` (audio_classes.toml) laid over it: its
    classes replace same-named ones, instrument and percussion entries are expanded with
    their shared templates ({a} and {name} filled in now, the rest per event), its QA tables
    are added. Classes no synthesiser is registered for (the additive note/chord/melody that
    the General MIDI instruments replaced) are left out."""
    from synthgen.world.sound import SYNTHS

    data = dict(base)
    classes = {**base["classes"], **extra.get("classes", {})}
    for group in ("instrument", "percussion"):
        shared = extra.get(f"{group}_templates", {})
        for name, entry in extra.get(f"{group}_classes", {}).items():
            fill = {"a": entry["a"], "name": entry["name"]}

            def expand(texts: list[str], fill: dict[str, str] = fill) -> list[str]:
                return [t.replace("{a}", fill["a"]).replace("{name}", fill["name"]) for t in texts]

            # an entry's own lists (plural nouns: "bagpipes play") win over the shared ones
            classes[name] = {**{k: expand(v) for k, v in shared.items()}, **entry}
    data["classes"] = {k: v for k, v in classes.items() if k in SYNTHS}
    data["qa"] = {**base["qa"], **extra.get("qa", {})}
    data["forms"] = extra.get("forms", {})
    return data


class Phrasebook:
    """Parsed ``audio_captions.toml`` + ``audio_classes.toml`` (see the module docstring)."""

    def __init__(self, data: dict[str, Any], sha256: str) -> None:
        self.data = data
        self.sha256 = sha256
        self.classes = {name: _class_phrases(entry) for name, entry in data["classes"].items()}
        self.forms: dict[str, dict[str, str]] = data.get("forms", {})
        self.speakers: dict[str, str] = data["speakers"]
        self.times: list[str] = data["numbers"]["times"]
        self.counts: list[str] = data["numbers"]["count"]
        self.short: dict[str, Any] = data["short"]
        self.detailed: dict[str, Any] = data["detailed"]
        self.qa: dict[str, list[str]] = {k: v["templates"] for k, v in data["qa"].items()}
        self.rewrite: dict[str, str] = data["rewrite"]
        self.noise: dict[str, list[str]] = data["background_noise"]

    @functools.cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        """Each class's mention pattern, compiled on first use (only the rewrite check and
        tests read them: ~105 patterns, 25-40 ms a process)."""
        return {k: mention_pattern(v.mentions) for k, v in self.classes.items()}

    @classmethod
    @cache
    def default(cls) -> Phrasebook:
        files = resources.files("synthgen.prompts")
        texts = [
            files.joinpath(f"{name}.toml").read_text(encoding="utf-8")
            for name in (PROMPT_NAME, CLASSES_NAME)
        ]
        data = merge_classes(parsed_toml(texts[0]), parsed_toml(texts[1]))
        return cls(data, text_sha256("\n".join(texts)))

    def of(self, event: SoundEvent) -> ClassPhrases:
        return self.classes[event.label]

    def slots(self, event: SoundEvent) -> dict[str, str]:
        """Values of the template slots for ``event``."""
        reps = max(1, event.repetitions)
        form = self.forms.get(event.form or "", {})
        return {
            "times": self.times[min(reps, len(self.times)) - 1],
            "count": self.counts[min(reps, len(self.counts)) - 1],
            "speaker": self.speakers.get(event.timbre or "", "someone"),
            "text": event.text or "",
            "language": event.language or "",
            "form": form.get("text", "a few notes"),
            "form_noun": form.get("noun", "tune"),
        }

    def clause(self, event: SoundEvent, rng: np.random.Generator) -> str:
        return pick(_number(self.of(event).clause, event), rng).format(**self.slots(event))

    def detailed_clause(self, event: SoundEvent, rng: np.random.Generator) -> str:
        """The class's ``detailed`` clause (e.g. speech with its words), else a clause."""
        options = self.of(event).detailed or self.of(event).clause
        return pick(options, rng).format(**self.slots(event))

    def phrase(self, event: SoundEvent, rng: np.random.Generator) -> str:
        return pick(_number(self.of(event).phrase, event), rng).format(**self.slots(event))

    def noun(self, event: SoundEvent, rng: np.random.Generator) -> str:
        return pick(_number(self.of(event).noun, event), rng).format(**self.slots(event))

    def background_phrase(self, event: SoundEvent, rng: np.random.Generator) -> str:
        options = self.of(event).background or self.of(event).phrase
        return pick(options, rng).format(**self.slots(event))

    def label(self, event: SoundEvent) -> str:
        """The event's label text: its class's AudioSet name."""
        return self.of(event).label

    def mentioned(self, label: str, text: str) -> list[int]:
        """Character positions where class ``label`` is mentioned in ``text``; a match that
        lies inside a longer match of another class ("bell" in "bicycle bell", "drum" in
        "snare drum") is that class's mention, not this one's."""
        return self._mentions(text).get(label, [])

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one book per process, few texts
    def _mentions(self, text: str) -> dict[str, list[int]]:
        spans = [
            (m.start(), m.end(), label)
            for label, pattern in self._patterns.items()
            for m in pattern.finditer(text)
        ]
        out: dict[str, list[int]] = {}
        for a, b, label in spans:
            inside = any(o != label and c <= a and b <= d and d - c > b - a for c, d, o in spans)
            if not inside:
                out.setdefault(label, []).append(a)
        return out

    def count_words(self, repetitions: int) -> tuple[str, ...]:
        """Ways a caption may state ``repetitions``: "twice", "two", "2"."""
        i = min(repetitions, len(self.times)) - 1
        return (self.times[i], self.counts[i], str(repetitions))
