"""Audio QA computed from the scene graph: presence, counting, order, loudest, pitch, duration.

Each kind asks only what the graph answers without doubt: order questions use pairs with a
``before`` relation, "loudest" needs an event louder than all others by the loudness margin,
pitch questions need a ``higher_pitched_than`` relation, "which lasts longer" needs one sound
at least 1.5 times and 0.5 s longer. Absent sounds for "no" answers come from other families
than the sounds present (no "is there a chime?" next to a bell).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from pydantic import Field

from synthgen.generators.audiocaps.captions import seconds_text
from synthgen.generators.audiocaps.phrases import Phrasebook, pick
from synthgen.records import StrictModel
from synthgen.world.sound import SYNTHS, AudioSceneGraph, Structure, get_synth

LONGER_RATIO = 1.5
LONGER_MIN_S = 0.5


class AudioQA(StrictModel):
    kind: str
    question: str
    answer: str
    template: str = Field(description="'<kind>/<index>' of the template in audio_captions.toml")
    about: list[int] = Field(default_factory=list, description="ids of the events it is about")


class _Asker:
    """Builds QA items with the clip's RNG (template choice, pair choice)."""

    def __init__(
        self, graph: AudioSceneGraph, st: Structure, book: Phrasebook, rng: np.random.Generator
    ) -> None:
        self.graph, self.st, self.book, self.rng = graph, st, book, rng

    def qa(
        self, kind: str, answer: str, about: list[int], table: str | None = None, **slots: str
    ) -> AudioQA:
        """A QA item from template table ``table`` (default: the kind's own)."""
        templates = self.book.qa[table or kind]
        i = int(self.rng.integers(len(templates)))
        return AudioQA(
            kind=kind,
            question=templates[i].format(**slots),
            answer=answer,
            template=f"{table or kind}/{i}",
            about=about,
        )

    def name(self, i: int) -> str:
        return self.book.of(self.graph.events[i]).name

    def pair_slots(self, a: int, b: int) -> dict[str, str]:
        """x/y slots of a two-choice question, in random order."""
        x, y = (a, b) if self.rng.random() < 0.5 else (b, a)
        return {"x": self.name(x), "y": self.name(y)}


def _presence(k: _Asker) -> Iterator[AudioQA]:
    events = k.graph.events
    e = pick(events, k.rng)
    yield k.qa("presence", "yes", [e.id], a=k.book.of(e).a)
    present = {ev.label for ev in events}
    families = {get_synth(label).family for label in present}
    absent = sorted(
        name
        for name, synth in SYNTHS.items()
        if name not in present and synth.family not in families and name in k.book.classes
    )
    if absent:
        label = pick(absent, k.rng)
        yield k.qa("presence", "no", [], a=k.book.classes[label].a)


def _count(k: _Asker) -> Iterator[AudioQA]:
    yield k.qa("count", str(len(k.graph.events)), [e.id for e in k.graph.events], "count_events")
    countable = [e for e in k.graph.events if get_synth(e.label).countable]
    if countable:
        e = pick(countable, k.rng)
        options = k.book.of(e).count_question
        i = int(k.rng.integers(len(options)))
        yield AudioQA(
            kind="count",
            question=options[i],
            answer=str(e.repetitions),
            template=f"count_question.{e.label}/{i}",
            about=[e.id],
        )


def _order(k: _Asker) -> Iterator[AudioQA]:
    pairs = [(r.subject, r.object) for r in k.graph.relations if r.predicate == "before"]
    if pairs:
        a, b = pick(pairs, k.rng)
        yield k.qa("order", k.name(a), [a, b], **k.pair_slots(a, b))
    groups = k.st.groups
    nexts = [
        (g[j], groups[gi + 1][0])
        for gi, g in enumerate(groups[:-1])
        for j in range(len(g))
        if len(groups[gi + 1]) == 1
    ]
    if nexts:
        a, b = pick(nexts, k.rng)
        yield k.qa("order", k.book.of(k.graph.events[b]).a, [a, b], "next", x=k.name(a))


def _loudest(k: _Asker) -> Iterator[AudioQA]:
    loudest = k.graph.loudest() if len(k.graph.events) > 1 else None
    if loudest is not None:
        yield k.qa("loudest", k.name(loudest.id), [loudest.id])


def _pitch(k: _Asker) -> Iterator[AudioQA]:
    pairs = [
        (r.subject, r.object) for r in k.graph.relations if r.predicate == "higher_pitched_than"
    ]
    if pairs:
        a, b = pick(pairs, k.rng)
        yield k.qa("pitch", k.name(a), [a, b], **k.pair_slots(a, b))


def _duration(k: _Asker) -> Iterator[AudioQA]:
    events = k.graph.events
    steady = [e for e in events if not get_synth(e.label).countable]
    if steady:
        e = pick(steady, k.rng)
        yield k.qa("duration", f"about {seconds_text(e.duration)}", [e.id], x=k.name(e.id))
    pairs = [
        (a.id, b.id)
        for a in events
        for b in events
        if a.duration >= LONGER_RATIO * b.duration and a.duration - b.duration >= LONGER_MIN_S
    ]
    if pairs:
        a, b = pick(pairs, k.rng)
        yield k.qa("duration", k.name(a), [a, b], "longer", **k.pair_slots(a, b))


KINDS: dict[str, Callable[[_Asker], Iterator[AudioQA]]] = {
    "presence": _presence,
    "count": _count,
    "order": _order,
    "loudest": _loudest,
    "pitch": _pitch,
    "duration": _duration,
}


def make_qa(
    graph: AudioSceneGraph,
    st: Structure,
    book: Phrasebook,
    rng: np.random.Generator,
    kinds: tuple[str, ...] = tuple(KINDS),
) -> list[AudioQA]:
    """The clip's QA items, kinds in the order given; every answer is read off the graph."""
    asker = _Asker(graph, st, book, rng)
    return [item for kind in kinds for item in KINDS[kind](asker)]
