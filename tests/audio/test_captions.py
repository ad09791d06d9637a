"""Captions and QA are true of the graph: every event named once, in order, with its count."""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pytest

import synthgen
import synthgen.generators.audiocaps  # registers the program
from synthgen.generators.audiocaps.captions import seconds_text
from synthgen.generators.audiocaps.phrases import Phrasebook
from synthgen.world.sound import SYNTHS, AudioSceneGraph, get_synth, speech

BOOK = Phrasebook.default()
SEQUENTIAL = re.compile(r"\b(then|followed by|after that|next|later)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def records() -> list:
    return list(synthgen.generate("audiocaps", n=120, seed=11))


def test_every_phrasing_names_its_class_and_no_other() -> None:
    """The vocabulary is what makes mention checks (tests, LLM fact checks) possible."""
    for label, phrases in BOOK.classes.items():
        assert label in SYNTHS
        texts = [*phrases.clause, *phrases.phrase, *phrases.noun, *phrases.background]
        for text in [*texts, *phrases.detailed]:
            filled = text.format(
                times="twice",
                count="two",
                speaker="a man",
                text="hello",
                language="German",
                form="a short melody",
                form_noun="melody",
            )
            assert BOOK.mentioned(label, filled), (label, filled)
            others = [o for o in BOOK.classes if o != label and BOOK.mentioned(o, filled)]
            assert not others, (label, filled, others)
        if get_synth(label).countable:
            assert phrases.count_question and all(
                "{times}" in t or "{count}" in t for t in (*phrases.clause, *phrases.noun)
            ), label
    for noise in BOOK.noise.values():
        for text in noise:
            assert not any(BOOK.mentioned(o, text) for o in BOOK.classes), text
    numbers = re.compile(rf"\b({'|'.join(BOOK.counts + BOOK.times)})\b")
    for words in (w for _, sentences in speech.LANGUAGES.values() for w in sentences):
        assert not any(BOOK.mentioned(o, words) for o in BOOK.classes), words
        assert not numbers.search(words), words


def _mentions(text: str, graph: AudioSceneGraph) -> list[tuple[int, int]]:
    """(position of first mention, event id) for every event, sorted by position."""
    out = []
    for e in graph.events:
        where = BOOK.mentioned(e.label, text)
        assert where, f"{e.label} missing from {text!r}"
        out.append((where[0], e.id))
    return sorted(out)


def _check_caption(text: str, graph: AudioSceneGraph) -> None:
    present = {e.label for e in graph.events}
    for label in BOOK.classes:
        if label not in present:
            assert not BOOK.mentioned(label, text), f"absent {label} named in {text!r}"
    st = graph.structure()
    assert st is not None
    mentions = _mentions(text, graph)
    ids = [i for _, i in mentions]
    ambient = set(st.ambient)
    foreground = [i for i in ids if i not in ambient]
    # ambient sounds come after every foreground one, and overlap all other events
    assert ids[len(foreground) :] == [i for i in ids if i in ambient], text
    for a in ambient:
        assert all(graph.time_relation(a, o) == "overlapping" for o in ids if o != a)
    # foreground sounds in time order; each join word true of the pair it joins
    positions = {i: p for p, i in mentions}
    for i, j in pairwise(foreground):
        between = text[positions[i] : positions[j]]
        if SEQUENTIAL.search(between):
            assert graph.time_relation(i, j) == "before", (text, i, j)
        else:
            assert graph.time_relation(i, j) == "overlapping", (text, i, j)
            assert graph.events[i].onset < graph.events[j].onset, text
    # counts stated next to their sound
    for e in graph.events:
        if get_synth(e.label).countable:
            words = "|".join(BOOK.count_words(e.repetitions))
            near = [text[max(0, p - 48) : p + 48] for p in BOOK.mentioned(e.label, text)]
            assert any(re.search(rf"\b({words})\b", w, re.IGNORECASE) for w in near), (
                text,
                e.label,
                e.repetitions,
            )


def test_captions_name_exactly_the_events_in_order_with_counts(records: list) -> None:
    for r in records:
        _check_caption(r.caption, r.graph)
        _check_caption(r.caption_detailed, r.graph)


def test_short_captions_are_short_and_varied(records: list) -> None:
    words = [len(r.caption.split()) for r in records]
    assert np.mean(words) < 12
    assert len({r.caption for r in records}) >= 0.9 * len(records)  # 1-event clips repeat
    assert all(r.caption[0].isupper() and r.caption.endswith(".") for r in records)


def test_labels_are_the_label_texts_of_the_events(records: list) -> None:
    for r in records:
        assert set(r.labels) == {BOOK.label(e) for e in r.graph.events}


def _by_name(graph: AudioSceneGraph, name: str):
    matches = [e for e in graph.events if BOOK.of(e).name == name]
    assert len(matches) == 1, name
    return matches[0]


def test_qa_answers_match_the_graph(records: list) -> None:
    """Recompute every answer from the graph's numbers (not its relations)."""
    kinds = set()
    for r in records:
        g = r.graph
        names = {BOOK.of(e).name: e for e in g.events}
        for qa in r.qa:
            kinds.add(qa.template.split("/")[0])
            about = [g.events[i] for i in qa.about]
            if qa.kind == "presence":
                if qa.answer == "yes":
                    assert about and BOOK.of(about[0]).a in qa.question
                else:
                    assert qa.answer == "no" and not about
                    absent = [c for c in BOOK.classes.values() if c.a in qa.question]
                    assert absent and all(c.name not in names for c in absent)
            elif qa.template.startswith("count_events"):
                assert qa.answer == str(len(g.events))
            elif qa.kind == "count":
                assert (
                    qa.answer == str(about[0].repetitions) and get_synth(about[0].label).countable
                )
            elif qa.template.startswith("next"):
                a, b = about
                later = [e for e in g.events if e.onset > a.offset]
                assert b.onset == min(e.onset for e in later)
                # nothing else starts while x plays or before y: one answer only
                between = [e for e in g.events if a.onset < e.onset < b.onset]
                assert not between, (qa.question, between)
                assert qa.answer == BOOK.of(b).a
            elif qa.kind == "order":
                first = min(about, key=lambda e: e.onset)
                other = max(about, key=lambda e: e.onset)
                assert first.offset + g.margins.gap_s <= other.onset + 1e-9
                assert qa.answer == BOOK.of(first).name
            elif qa.kind == "loudest":
                top = _by_name(g, qa.answer)
                rest = [e.loudness_db for e in g.events if e.id != top.id]
                assert top.loudness_db - max(rest) >= g.margins.loudness_db
            elif qa.kind == "pitch":
                high = _by_name(g, qa.answer)
                low = next(e for e in about if e.id != high.id)
                assert high.pitch_hz / low.pitch_hz >= 2 ** (g.margins.pitch_semitones / 12)
                pools = {get_synth(e.label).pitch_pool for e in about}
                assert len(pools) == 1 and pools != {""}
            elif qa.template.startswith("longer"):
                long = _by_name(g, qa.answer)
                short = next(e for e in about if e.id != long.id)
                assert long.duration >= 1.5 * short.duration
                assert all(
                    get_synth(e.label).free_duration and not get_synth(e.label).ambient
                    for e in about
                )
            elif qa.kind == "duration":
                assert qa.answer == f"about {seconds_text(about[0].duration)}"
                synth = get_synth(about[0].label)
                assert synth.free_duration and not synth.ambient
            elif qa.template.startswith("speech_text"):
                assert about[0].label == "speech" and qa.answer == about[0].text
            elif qa.template.startswith("speech_language"):
                assert about[0].label == "speech" and qa.answer == about[0].language
            else:
                pytest.fail(f"unknown QA kind {qa.kind}")
    assert {"presence", "count_events", "order", "next", "loudest", "pitch"} <= kinds
    assert {"duration", "longer"} <= kinds and any(k.startswith("count_question") for k in kinds)
