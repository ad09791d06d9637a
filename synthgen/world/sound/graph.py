"""The audio scene graph: events with spans and measured attributes, and their relations.

The graph is the ground truth that captions and QA are computed from, and what a record
stores, so it is a compact pydantic model (``extra="forbid"``, rounded floats, unset optional
fields left out of the JSON). Attributes come from the scene spec (class, span, repetitions,
pitch, pan, timbre) and from the signal (loudness, band: :mod:`~synthgen.world.sound.analysis`).

Relations are computed from the graph itself with margins, so none is ambiguous:
``before``/``after``/``overlapping`` with the timing margins
(:mod:`~synthgen.world.sound.timing`), ``louder_than`` when the A-weighted loudness differs by
at least ``loudness_db``, ``higher_pitched_than`` for two pitched events at least
``pitch_semitones`` apart. Pairs inside a margin simply get no loudness or pitch relation.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

from synthgen.records import CompactModel, StrictModel
from synthgen.world.sound.ontology import audioset_id
from synthgen.world.sound.render import RenderedScene
from synthgen.world.sound.synth import get_synth
from synthgen.world.sound.timing import Margins, Structure, structure_of, time_relation

Predicate = Literal["before", "after", "overlapping", "louder_than", "higher_pitched_than"]
PREDICATES: tuple[str, ...] = Predicate.__args__  # type: ignore[attr-defined]


_UNSET_AS: dict[str, object] = {
    "pitch_hz": 0.0,
    "timbre": "",
    "text": "",
    "language": "",
    "form": "",
    "notes": "",
    "tempo_bpm": 0.0,
}
"""How an event's unset (None) fields are written: every event of every record then has the
same keys with one non-null type each, which the bare JSON loader of ``datasets`` needs (it
types all shards from the first one: a key or value only a later shard has fails the load)."""


class SoundEvent(StrictModel):
    """One sound event. Times in s, loudness in dB re full scale (A-weighted, over its
    active frames), pitch in Hz (only for classes with one steady pitch), pan -1..1 (stereo
    only), band: the frequency range holding 90 % of its energy.

    In memory an unset field is None; in JSON it is written as 0 / "" (``_UNSET_AS``, read
    back as None), ``notes`` as space-separated MIDI keys, and ``pan`` is left out in mono
    (the same for every record of a dataset)."""

    id: int
    label: str = Field(description="sound class, e.g. 'bell'")
    onset: float
    duration: float
    loudness_db: float
    pitch_hz: float | None = None
    repetitions: int = 1
    pan: float | None = None
    band_hz: tuple[int, int]
    timbre: str | None = Field(None, description="instrument, or speaker for speech")
    text: str | None = Field(None, description="the words of a speech event")
    language: str | None = Field(None, description="language of a speech event, e.g. 'German'")
    form: str | None = Field(None, description="an instrument's 'note', 'melody' or 'chord'")
    notes: Annotated[
        list[int] | None,
        WithJsonSchema({"type": "string", "description": "MIDI keys, space-separated"}),
    ] = Field(None, description="MIDI keys played, in order")
    tempo_bpm: float | None = Field(None, description="tempo of a melody or beat")
    audioset_id: str = Field("", description="AudioSet ontology id of the class")

    @model_validator(mode="before")
    @classmethod
    def _from_json(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key, unset in _UNSET_AS.items():
                if key in data and type(data[key]) is type(unset) and data[key] == unset:
                    data[key] = None
            if isinstance(data.get("notes"), str):
                data["notes"] = [int(k) for k in data["notes"].split()]
        return data

    @model_serializer(mode="wrap")
    def _fixed_keys(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        if out["pan"] is None:
            del out["pan"]
        if out["notes"] is not None:
            out["notes"] = " ".join(str(k) for k in out["notes"])
        for key, unset in _UNSET_AS.items():
            if out[key] is None:
                out[key] = unset
        return out

    @property
    def offset(self) -> float:
        return round(self.onset + self.duration, 3)

    @property
    def span(self) -> tuple[float, float]:
        return (self.onset, self.offset)


class Background(CompactModel):
    noise: Literal["white", "pink", "brown"]
    level_db: float = Field(description="RMS level, dB re full scale")


class RelationMargins(StrictModel):
    """The margins the relations were computed with (so a reader can recompute them)."""

    gap_s: float
    overlap_s: float
    onset_s: float
    loudness_db: float
    pitch_semitones: float

    @property
    def timing(self) -> Margins:
        return Margins(self.gap_s, self.overlap_s, self.onset_s)


class Relation(StrictModel):
    """``subject`` stands in ``predicate`` to ``object`` (event ids). An object with named
    fields, not a ``[s, p, o]`` list, so each JSON field has one type (Arrow, ``datasets``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: int
    predicate: Predicate
    object: int


class AudioSceneGraph(StrictModel):
    duration: float
    sample_rate: int
    channels: int
    background: Background
    events: list[SoundEvent]
    relations: list[Relation] = Field(description="{subject id, predicate, object id}")
    margins: RelationMargins
    scene_type: str = Field(
        "", description="scene type whose class priors drew the sounds (provenance, not heard)"
    )

    _relations: set[tuple[int, str, int]] | None = PrivateAttr(default=None)

    def event(self, event_id: int) -> SoundEvent:
        return self.events[event_id]

    def holds(self, subject: int, predicate: str, obj: int) -> bool:
        return (subject, predicate, obj) in self._relation_set()

    def _relation_set(self) -> set[tuple[int, str, int]]:
        if self._relations is None:
            self._relations = {(r.subject, r.predicate, r.object) for r in self.relations}
        return self._relations

    def time_relation(self, a: int, b: int) -> str | None:
        rels = self._relation_set()
        for predicate in ("before", "after", "overlapping"):
            if (a, predicate, b) in rels:
                return predicate
        return "overlapping" if (b, "overlapping", a) in rels else None

    def structure(self) -> Structure | None:
        """The temporal structure the captions follow (see
        :func:`synthgen.world.sound.timing.structure_of`), recomputed from the relations."""
        n = len(self.events)
        rel = [[self.time_relation(i, j) if i != j else None for j in range(n)] for i in range(n)]
        ambient_ok = [get_synth(e.label).ambient for e in self.events]
        return structure_of([e.onset for e in self.events], rel, ambient_ok)  # type: ignore[arg-type]

    def loudest(self) -> SoundEvent | None:
        """The event louder than every other one (with margin), or None."""
        for e in self.events:
            if all(self.holds(e.id, "louder_than", o.id) for o in self.events if o.id != e.id):
                return e
        return None


def compute_relations(events: list[SoundEvent], margins: RelationMargins) -> list[Relation]:
    """Every relation that holds with margin, in a fixed order (pairs i < j)."""
    out: list[tuple[int, Predicate, int]] = []
    timing = margins.timing
    for a in events:
        for b in events:
            if a.id >= b.id:
                continue
            rel = time_relation(a.span, b.span, timing)
            if rel == "before":
                out += [(a.id, "before", b.id), (b.id, "after", a.id)]
            elif rel == "after":
                out += [(a.id, "after", b.id), (b.id, "before", a.id)]
            elif rel == "overlapping":
                out.append((a.id, "overlapping", b.id))
            diff = a.loudness_db - b.loudness_db
            if abs(diff) >= margins.loudness_db:
                out.append((a.id, "louder_than", b.id) if diff > 0 else (b.id, "louder_than", a.id))
            if a.pitch_hz and b.pitch_hz:
                semis = 12.0 * math.log2(a.pitch_hz / b.pitch_hz)
                if abs(semis) >= margins.pitch_semitones:
                    out.append(
                        (a.id, "higher_pitched_than", b.id)
                        if semis > 0
                        else (b.id, "higher_pitched_than", a.id)
                    )
    return [Relation(subject=s, predicate=p, object=o) for s, p, o in out]


def build_graph(scene: RenderedScene, margins: RelationMargins) -> AudioSceneGraph:
    """The graph of a rendered scene (uses ``scene.measurements``), relations included."""
    spec = scene.spec
    stereo = spec.channels > 1
    events = []
    for i, (ev, m) in enumerate(zip(spec.events, scene.measurements.events, strict=True)):
        synth = get_synth(ev.label)
        events.append(
            SoundEvent(
                id=i,
                label=ev.label,
                onset=round(ev.onset, 3),
                duration=round(ev.duration, 3),
                loudness_db=round(m.loudness_db, 1),
                pitch_hz=round(ev.pitch_hz, 1) if synth.pitched and ev.pitch_hz else None,
                repetitions=ev.repetitions,
                pan=round(ev.pan, 2) if stereo else None,
                band_hz=(int(m.band_hz[0]), math.ceil(m.band_hz[1])),
                timbre=ev.timbre,
                text=ev.text,
                language=ev.language,
                form=ev.form,
                notes=list(ev.notes) if ev.notes else None,
                tempo_bpm=ev.tempo_bpm,
                audioset_id=audioset_id(synth.audioset),
            )
        )
    return AudioSceneGraph(
        duration=spec.duration,
        sample_rate=spec.sample_rate,
        channels=spec.channels,
        background=Background(
            noise=spec.background,  # type: ignore[arg-type]
            level_db=round(20.0 * math.log10(scene.background_gain), 1),
        ),
        events=events,
        relations=compute_relations(events, margins),
        margins=margins,
        scene_type=spec.scene_type,
    )
