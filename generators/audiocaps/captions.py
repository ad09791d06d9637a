"""Captions computed from the audio scene graph: short (WavCaps-style) and detailed.

Both follow the graph's temporal structure (:meth:`AudioSceneGraph.structure`): foreground
groups in time order, the sounds of a group joined by "while"/"as" (they overlap), groups
joined by "then"/"followed by" (every sound of the earlier group ends before the later one
starts), ambient sounds (overlapping everything) last, as a background. Every event is named
exactly once, in that order, with its count when it is countable, so each order word and
count is true of the graph. The detailed caption adds loudness, pitch, side and duration,
only where the value is clearly on one side of a threshold.
"""

from __future__ import annotations

import numpy as np

from synthgen.generators.audiocaps.phrases import Phrasebook, pick
from synthgen.world.sound import AudioSceneGraph, SoundEvent, Structure, get_synth

LOUD_DB = -20.0
"""A-weighted loudness at or above which a sound is described as loud."""
FAINT_DB = -36.0
HIGH_HZ = 1000.0
LOW_HZ = 150.0
SIDE_PAN = 0.4
THROUGHOUT_S = 0.5
"""An ambient sound within this of both clip edges is heard "throughout"."""


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    return capitalise(text.strip()) + "."


def seconds_text(duration: float) -> str:
    """Duration rounded to the nearest half second, e.g. "2.5 seconds" or "1 second"."""
    value = max(0.5, round(duration * 2) / 2)
    return f"{value:g} second{'' if value == 1 else 's'}"


def _join(parts: list[str], first: str, rest: str = " and ") -> str:
    if len(parts) == 1:
        return parts[0]
    return parts[0] + first + rest.join(parts[1:])


def _short_sentence(
    graph: AudioSceneGraph, st: Structure, book: Phrasebook, rng: np.random.Generator
) -> str:
    ev = graph.events
    short = book.short
    text = ""
    for gi, group in enumerate(st.groups):
        if gi == 0:
            text = _join([book.clause(ev[i], rng) for i in group], pick(short["together"], rng))
            continue
        joiner = pick(short["then"], rng)
        if "followed" in joiner:
            parts = [book.phrase(ev[i], rng) for i in group]
            text += joiner + _join(parts, pick(short["together_phrase"], rng))
        else:
            parts = [book.clause(ev[i], rng) for i in group]
            text += joiner + _join(parts, pick(short["together"], rng))
    if st.ambient:
        bg = " and ".join(book.background_phrase(ev[i], rng) for i in st.ambient)
        text = pick(short["ambient"], rng).format(text=text, bg=bg)
    return sentence(text)


def _short_nouns(
    graph: AudioSceneGraph, st: Structure, book: Phrasebook, rng: np.random.Generator
) -> str:
    ev = graph.events
    short = book.short
    groups = [
        _join([book.noun(ev[i], rng) for i in group], pick(short["noun_together"], rng))
        for group in st.groups
    ]
    text = groups[0]
    for g in groups[1:]:
        text += pick(short["noun_then"], rng) + g
    if st.ambient:
        bg = " and ".join(book.noun(ev[i], rng) for i in st.ambient)
        text = pick(short["noun_ambient"], rng).format(text=text, bg=bg)
    return sentence(text)


def short_caption(
    graph: AudioSceneGraph, st: Structure, book: Phrasebook, rng: np.random.Generator
) -> str:
    """One WavCaps-style sentence naming every event once, in the structure's order; made of
    short nouns when the full sentence would pass ``[short] max_words`` words."""
    text = _short_sentence(graph, st, book, rng)
    if len(text.split()) > int(book.short["max_words"]):
        text = _short_nouns(graph, st, book, rng)
    return text


def modifiers(event: SoundEvent, book: Phrasebook, channels: int, with_duration: bool) -> list[str]:
    """Attribute phrases that hold clearly: loud/faint, high/low pitch, side, duration."""
    d = book.detailed
    out = []
    if event.loudness_db >= LOUD_DB:
        out.append(d["loud"])
    elif event.loudness_db <= FAINT_DB:
        out.append(d["faint"])
    if event.pitch_hz is not None:
        if event.pitch_hz >= HIGH_HZ:
            out.append(d["high"])
        elif event.pitch_hz <= LOW_HZ:
            out.append(d["low"])
    if channels > 1 and event.pan is not None and abs(event.pan) >= SIDE_PAN:
        out.append(d["left"] if event.pan < 0 else d["right"])
    if with_duration:
        out.append(d["for_seconds"].format(seconds=seconds_text(event.duration)))
    return out


def detailed_clause(
    event: SoundEvent,
    graph: AudioSceneGraph,
    book: Phrasebook,
    rng: np.random.Generator,
    with_duration: bool = True,
) -> str:
    """The event's clause with its modifiers; countable sounds get their count instead of
    a duration."""
    with_duration = with_duration and not get_synth(event.label).countable
    mods = modifiers(event, book, graph.channels, with_duration)
    return " ".join([book.detailed_clause(event, rng), *mods])


def detailed_caption(
    graph: AudioSceneGraph, st: Structure, book: Phrasebook, rng: np.random.Generator
) -> str:
    """A few sentences: one per foreground group, the ambient sounds, the background noise."""
    ev = graph.events
    d = book.detailed
    sentences = []
    for gi, group in enumerate(st.groups):
        clauses = [detailed_clause(ev[i], graph, book, rng) for i in group]
        body = _join(clauses, pick(d["together"], rng))
        if gi:
            body = f"{pick(d['then'], rng)} {body}"
        sentences.append(sentence(body))
    for i in st.ambient:
        e = ev[i]
        whole = e.onset <= THROUGHOUT_S and e.offset >= graph.duration - THROUGHOUT_S
        template = pick(d["ambient_throughout"] if whole else d["ambient"], rng)
        clause = detailed_clause(e, graph, book, rng, with_duration=not whole)
        sentences.append(capitalise(template.format(clause=clause)))
    noise = pick(book.noise[graph.background.noise], rng)
    sentences.append(pick(d["background"], rng).format(noise=noise))
    return " ".join(sentences)


def labels(graph: AudioSceneGraph, st: Structure, book: Phrasebook) -> list[str]:
    """Label texts of the events in caption order, without repeats."""
    out: list[str] = []
    for i in st.order:
        label = book.label(graph.events[i])
        if label not in out:
            out.append(label)
    return out
