"""The audiocaps program in the engine: determinism, media, config, rejects, speech."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import synthgen
import synthgen.generators.audiocaps  # registers the program
from synthgen.engine import build_job
from synthgen.errors import UserError
from synthgen.generators.audiocaps import AudiocapsRecord
from synthgen.produce import produce
from synthgen.records import media_of
from synthgen.world.sound import speech
from tests.helpers import dataset_bytes

SMALL = {"duration_s": [5.0, 6.0]}
"""Small jobs below use small shards: a shard's candidates all run, however few are needed."""


def _records(root: Path) -> list[dict]:
    lines = []
    for path in sorted((root / "data").glob("*.jsonl")):
        lines += [json.loads(line) for line in path.read_text().splitlines()]
    return lines


def test_same_seed_same_bytes_and_workers_do_not_matter(tmp_path: Path) -> None:
    one, two = tmp_path / "w1", tmp_path / "w2"
    synthgen.make("audiocaps", n=24, out=one, seed=5, workers=1, shard_size=8, config=SMALL)
    synthgen.make("audiocaps", n=24, out=two, seed=5, workers=2, shard_size=8, config=SMALL)
    a, b = dataset_bytes(one), dataset_bytes(two)
    assert a == b
    assert sum(name.endswith(".wav") for name in a) == 24
    other = synthgen.generate("audiocaps", n=1, seed=6, config=SMALL)
    first = next(iter(_records(one)))
    assert next(other).model_dump()["graph"] != first["graph"]


def test_generate_equals_make_and_replays(tmp_path: Path) -> None:
    synthgen.make(
        "audiocaps", n=3, out=tmp_path / "ds", seed=2, workers=1, shard_size=4, config=SMALL
    )
    made = _records(tmp_path / "ds")
    mem = list(synthgen.generate("audiocaps", n=3, seed=2, shard_size=4, config=SMALL))
    assert [json.loads(r.model_dump_json()) for r in mem] == made
    again = list(synthgen.generate("audiocaps", n=3, seed=2, config=SMALL))
    for x, y in zip(mem, again, strict=True):
        assert np.array_equal(x.media_objects["audio"].samples, y.media_objects["audio"].samples)


@pytest.mark.parametrize(
    ("encoder", "config", "mime", "channels", "rate"),
    [
        ("flac", {}, "audio/flac", 1, 16000),
        ("wav", {"channels": 2, "sample_rate": 44100}, "audio/wav", 2, 44100),
        ("flac", {"channels": 2, "sample_rate": 32000}, "audio/flac", 2, 32000),
    ],
)
def test_media_refs_carry_duration_rate_and_channels(
    tmp_path: Path, encoder: str, config: dict, mime: str, channels: int, rate: int
) -> None:
    soundfile = pytest.importorskip("soundfile")
    root = tmp_path / "ds"
    synthgen.make(
        "audiocaps",
        n=2,
        out=root,
        seed=1,
        encoders=[encoder],
        workers=1,
        shard_size=2,
        config={**SMALL, **config},
    )
    for rec in _records(root):
        ref = media_of(rec)["audio"]
        graph = rec["graph"]
        assert ref["mime"] == mime
        assert (ref["sample_rate"], ref["channels"]) == (rate, channels)
        assert ref["duration"] == pytest.approx(graph["duration"], abs=1 / rate)
        assert (graph["sample_rate"], graph["channels"]) == (rate, channels)
        data, sr = soundfile.read(io.BytesIO((root / ref["path"]).read_bytes()))
        assert sr == rate and data.shape[0] == round(graph["duration"] * rate)
        assert (data.ndim == 1) == (channels == 1)
        AudiocapsRecord.model_validate(rec)


def test_record_graph_json_is_compact() -> None:
    rec = next(synthgen.generate("audiocaps", n=1, seed=3, config={"events": [3, 3]}))
    text = rec.graph.model_dump_json()
    assert "null" not in text and '"pan"' not in text  # mono: no pan; unset fields: 0 / ""
    events = json.loads(text)["events"]
    assert len({tuple(e) for e in events}) == 1  # every event has the same keys
    for event in events:
        assert event["onset"] == round(event["onset"], 3)
        assert event["loudness_db"] == round(event["loudness_db"], 1)
    assert rec.lineage.prompts[0].name == "audio_captions"
    assert {v.filter for v in rec.lineage.verdicts} == {"audibility", "separability"}


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"classes": ["bell", "unicorn"]}, "classes"),
        ({"events": [3, 1]}, "events"),
        ({"snr": 3}, "snr"),
        ({"rewrite": "llm", "llm": {"base_ulr": "http://x"}}, "base_ulr"),
    ],
)
def test_bad_config_is_a_user_error_naming_the_field(override: dict, field: str) -> None:
    with pytest.raises(UserError, match=field):
        build_job("audiocaps", 1, "unused", config=override)


def _outcomes(config: dict, count: int, seed: int = 0) -> tuple[list, Counter]:
    job = build_job("audiocaps", count, "unused", seed=seed, config=config)
    counters: Counter[str] = Counter()
    return [produce(job, i, counters=counters) for i in range(count)], counters


def test_inaudible_events_are_rejected_by_the_program() -> None:
    """Events that cannot be heard are taken out; a clip left with none is rejected."""
    quiet = {"event_level_db": [-75, -70], "background_level_db": [-30, -30], "events": [1, 2]}
    outcomes, counters = _outcomes(quiet, 4)
    assert all(o.reject is not None and o.reject.reason == "audibility" for o in outcomes)
    assert all("no sound events" in o.reject.detail for o in outcomes)
    assert sum(v for k, v in counters.items() if k.startswith("audiocaps.inaudible.")) >= 4


def test_speech_is_skipped_and_counted_without_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech, "espeak_path", lambda: None)
    outcomes, counters = _outcomes({"classes": ["speech", "bell"], "events": [2, 2]}, 3)
    assert counters["audiocaps.skipped.speech"] == 3
    for o in outcomes:
        if o.record is not None:
            assert [e.label for e in o.record.graph.events] == ["bell"]


@pytest.mark.skipif(speech.espeak_path() is None, reason="espeak-ng is not installed")
def test_speech_events_with_espeak() -> None:
    outcomes, counters = _outcomes({"classes": ["speech"], "events": [1, 1]}, 2)
    assert not counters
    rec = next(o.record for o in outcomes if o.record is not None)
    event = rec.graph.events[0]
    assert event.label == "speech" and event.text in speech.LANGUAGES[event.language][1]
    assert event.timbre in speech.VOICES
    assert any(m.id == "espeak-ng" and m.revision for m in rec.lineage.models)
    assert "speak" in rec.caption or "talk" in rec.caption or "says" in rec.caption
    assert f'"{event.text}"' in rec.caption_detailed


def test_a_masked_event_is_neither_heard_in_the_clip_nor_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Knocks under a louder engine in their band: the record's clip, graph, caption and QA
    hold only the engine, and the dropped knocks are counted."""
    from synthgen.generators.audiocaps import program
    from synthgen.world.sound import SceneSpec, Structure
    from tests.audio.helpers import event

    def fixed(rng: np.random.Generator, cfg: object) -> SceneSpec:
        events = [event("engine", 0.2, -14.0, max_duration=3.5), event("knock", 1.0, -30.0, seed=1)]
        return SceneSpec(4.0, 16000, 1, "pink", -60.0, events, Structure((), ((0, 1),)))

    monkeypatch.setattr(program, "sample_scene", fixed)
    outcomes, counters = _outcomes({}, 2)
    assert counters["audiocaps.inaudible.knock"] == 2
    for o in outcomes:
        rec = o.record
        assert rec is not None
        assert [e.label for e in rec.graph.events] == ["engine"]
        asked = [q.question for q in rec.qa if q.answer != "no"]  # "no knocking?" is true
        text = " ".join([rec.caption, rec.caption_detailed or "", *asked])
        assert "knock" not in text.lower()


@pytest.mark.skipif(speech.espeak_path() is None, reason="espeak-ng is not installed")
def test_spoken_sentences_are_kept_on_disk_and_read_back_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sentence is spoken by espeak-ng once per machine: a new process (here: the memory
    cache cleared) reads the kept WAV instead of calling it, and gets the same samples."""
    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(tmp_path))
    speech.spoken.cache_clear()
    first, rate = speech.spoken("good morning everyone", "en-us+f3")
    kept = speech.cache_file("good morning everyone", "en-us+f3")
    assert kept.is_file() and kept.parent == tmp_path / "espeak"
    speech.spoken.cache_clear()

    def no_call(*args: object, **kwargs: object) -> None:
        raise AssertionError("espeak-ng was called although the sentence was kept")

    monkeypatch.setattr(speech.subprocess, "run", no_call)
    again, rate2 = speech.spoken("good morning everyone", "en-us+f3")
    assert rate2 == rate and np.array_equal(first, again)
    speech.spoken.cache_clear()


def test_lineage_names_the_sound_world_always_and_espeak_only_where_a_clip_speaks() -> None:
    """lineage.models says what made the clip: the procedural sound world in every record
    (never an empty list for a whole shard: datasets' bare JSON loader), the TTS engine only
    for clips with speech."""
    from synthgen.generators.audiocaps.program import SOUND_ENGINE

    outcomes, _ = _outcomes({"classes": ["bell", "dog"], "events": [1, 2]}, 4)
    records = [o.record for o in outcomes if o.record is not None]
    assert records
    for rec in records:
        ids = [m.id for m in rec.lineage.models]
        assert ids == [SOUND_ENGINE]
        assert "speech" not in [e.label for e in rec.graph.events]


@pytest.mark.skipif(speech.espeak_path() is None, reason="espeak-ng is not installed")
def test_espeak_is_in_the_lineage_of_speaking_clips_only() -> None:
    outcomes, _ = _outcomes({"classes": ["speech", "bell"], "events": [1, 1]}, 12)
    records = [o.record for o in outcomes if o.record is not None]
    speaks = [any(e.label == "speech" for e in r.graph.events) for r in records]
    assert any(speaks) and not all(speaks)
    for rec, spoke in zip(records, speaks, strict=True):
        assert ("espeak-ng" in [m.id for m in rec.lineage.models]) == spoke
