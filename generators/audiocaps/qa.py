"""Audio QA computed from the scene graph: presence, counting, order, loudest, pitch, duration.

Each kind asks only what the graph answers without doubt, and only where the question's words
do not give the answer away (``bench/audio.py --blind`` trains question-only classifiers
to check): order questions use pairs with a ``before`` relation, and "what comes right after X"
only where X sounds alone and one sound follows it; "loudest" needs an event louder than all
others by the loudness margin; pitch questions need a ``higher_pitched_than`` relation between
two classes of one pitch pool; duration questions use only free-duration events (lengths
drawn from one range for every such class). Presence is "yes" or "no" with equal chance, and
absent sounds for "no" answers come from other families than the sounds present (no "is
there a chime?" next to a bell).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from pydantic import Field

from synthgen.generators.audiocaps.captions import seconds_text
from synthgen.generators.audiocaps.phrases import Phrasebook, pick
from synthgen.records import StrictModel
from synthgen.world.sound import SYNTHS, AudioSceneGraph, SoundEvent, Structure, get_synth

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
        self,
        graph: AudioSceneGraph,
        st: Structure,
        book: Phrasebook,
        rng: np.random.Generator,
        absent_weights: dict[str, float] | None = None,
    ) -> None:
        self.graph, self.st, self.book, self.rng = graph, st, book, rng
        self.absent_weights = absent_weights

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
    """One presence question per clip, "yes" or "no" with equal chance. A "yes" asks about
    a present event (uniformly); a "no" about an absent class of another family, drawn in
    proportion to ``absent_weights`` -- how often each class is the subject of a "yes" -- so
    that every class is asked about as often with "no" as with "yes" and the question alone
    does not give the answer away ("is someone speaking?" is "yes" half the time)."""
    events = k.graph.events
    if k.rng.random() < 0.5:
        e = pick(events, k.rng)
        yield k.qa("presence", "yes", [e.id], a=k.book.of(e).a)
        return
    present = {ev.label for ev in events}
    families = {get_synth(label).family for label in present}
    absent = sorted(
        name
        for name, synth in SYNTHS.items()
        if name not in present and synth.family not in families and name in k.book.classes
    )
    weights = np.array(
        [k.absent_weights.get(name, 0.0) if k.absent_weights else 1.0 for name in absent]
    )
    if absent and weights.sum() > 0:
        label = absent[int(k.rng.choice(len(absent), p=weights / weights.sum()))]
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


def _next_pairs(graph: AudioSceneGraph, st: Structure) -> list[tuple[int, int]]:
    """(x, y) where "what comes right after x?" has the one answer y: x sounds alone (no
    other sound starts while it plays, it is in a group of its own), y is the next sound to
    start after it and also sounds alone; ambient sounds, which started before x, don't
    count."""
    ev = graph.events
    out = []
    for g, h in zip(st.groups, st.groups[1:], strict=False):
        if len(g) != 1 or len(h) != 1:
            continue
        a, b = ev[g[0]], ev[h[0]]
        starts = [e for e in ev if e.id not in (a.id, b.id) and a.onset <= e.onset <= b.onset]
        if not starts:
            out.append((a.id, b.id))
    return out


def _order(k: _Asker) -> Iterator[AudioQA]:
    pairs = [(r.subject, r.object) for r in k.graph.relations if r.predicate == "before"]
    if pairs:
        a, b = pick(pairs, k.rng)
        yield k.qa("order", k.name(a), [a, b], **k.pair_slots(a, b))
    nexts = _next_pairs(k.graph, k.st)
    if nexts:
        a, b = pick(nexts, k.rng)
        yield k.qa("order", k.book.of(k.graph.events[b]).a, [a, b], "next", x=k.name(a))


def _loudest(k: _Asker) -> Iterator[AudioQA]:
    loudest = k.graph.loudest() if len(k.graph.events) > 1 else None
    if loudest is not None:
        yield k.qa("loudest", k.name(loudest.id), [loudest.id])


def _pitch(k: _Asker) -> Iterator[AudioQA]:
    """Only between sounds of one pitch pool (classes whose pitches are drawn from the same
    range), so neither name tells which is higher."""
    ev = k.graph.events
    pairs = [
        (r.subject, r.object)
        for r in k.graph.relations
        if r.predicate == "higher_pitched_than"
        and get_synth(ev[r.subject].label).pitch_pool
        and get_synth(ev[r.subject].label).pitch_pool == get_synth(ev[r.object].label).pitch_pool
    ]
    if pairs:
        a, b = pick(pairs, k.rng)
        yield k.qa("pitch", k.name(a), [a, b], **k.pair_slots(a, b))


def _free(k: _Asker) -> list[SoundEvent]:
    """Events whose length is drawn from the shared free-duration range
    (:func:`~synthgen.world.sound.synth.free_duration`) and never stretched: the layout
    stretches ambient-capable sounds to cover the others, and one that is no longer ambient
    once masked events are taken out would still be long because of its class. Their class
    says nothing about how long they last."""
    return [
        e
        for e in k.graph.events
        if get_synth(e.label).free_duration and not get_synth(e.label).ambient
    ]


def _duration(k: _Asker) -> Iterator[AudioQA]:
    free = _free(k)
    if free:
        e = pick(free, k.rng)
        yield k.qa("duration", f"about {seconds_text(e.duration)}", [e.id], x=k.name(e.id))
    pairs = [
        (a.id, b.id)
        for a in free
        for b in free
        if a.duration >= LONGER_RATIO * b.duration and a.duration - b.duration >= LONGER_MIN_S
    ]
    if pairs:
        a, b = pick(pairs, k.rng)
        yield k.qa("duration", k.name(a), [a, b], "longer", **k.pair_slots(a, b))


def _speech(k: _Asker) -> Iterator[AudioQA]:
    """What was said and in which language (a clip holds at most one speech event)."""
    spoken = [e for e in k.graph.events if e.label == "speech" and e.text]
    if spoken:
        e = spoken[0]
        yield k.qa("speech", e.text or "", [e.id], "speech_text")
        if e.language:
            yield k.qa("speech", e.language, [e.id], "speech_language")


KINDS: dict[str, Callable[[_Asker], Iterator[AudioQA]]] = {
    "presence": _presence,
    "count": _count,
    "order": _order,
    "loudest": _loudest,
    "pitch": _pitch,
    "duration": _duration,
    "speech": _speech,
}


def make_qa(
    graph: AudioSceneGraph,
    st: Structure,
    book: Phrasebook,
    rng: np.random.Generator,
    kinds: tuple[str, ...] = tuple(KINDS),
    absent_weights: dict[str, float] | None = None,
) -> list[AudioQA]:
    """The clip's QA items, kinds in the order given; every answer is read off the graph.
    ``absent_weights``: class -> how often it is the subject of a "yes" presence question
    (:func:`~synthgen.world.sound.scene.presence_rates`); None draws absent classes
    uniformly."""
    asker = _Asker(graph, st, book, rng, absent_weights)
    return [item for kind in kinds for item in KINDS[kind](asker)]
