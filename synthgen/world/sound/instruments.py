"""General MIDI instruments and drums, played from the shipped SoundFont samples.

One sound class per instrument (:data:`MELODIC`), named by its AudioSet class. An event is
one *form*, drawn per event: a single note (``pitch_hz``), a short melody (3-6 notes at a
``tempo_bpm``) or, for instruments that play several notes at once, a chord; ``notes`` holds
the MIDI keys in order, so pitches and tempi are exact. Sustained instruments (the sample
loops) last a free duration; a melody's tempo is derived from it. Instruments of the
``note`` pitch pool draw single notes from one range, so "which is higher" needs the audio.

Drums (:data:`PERCUSSION`): single pieces struck ``repetitions`` times at a steady tempo
(countable), a snare drum roll, and a drum kit playing a rock beat (kick on 1 and 3, snare on
2 and 4, eighth-note hi-hats) for one or two bars at ``tempo_bpm``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthgen.world.sound.dsp import F32, fade
from synthgen.world.sound.noise import NoiseBank
from synthgen.world.sound.sampler import gm_samples, play_note
from synthgen.world.sound.synth import (
    EventSpec,
    Synth,
    draw_count,
    fit_count,
    free_duration,
    n_samples,
    register_synth,
)
from synthgen.world.sound.timbres import midi_hz

NOTE_POOL = (55, 79)
"""MIDI range of single notes of the ``note`` pitch pool."""
RELEASE_S = 0.06
AMBIGUOUS_PITCH = ("hammond_organ", "choir")
"""Samples whose octave is ambiguous to the ear (the drawbar organ sounds sub-octave and
fifth drawbars with the key; the choir's ensemble sits on the octave): not compared in
pitch questions."""


@dataclass(frozen=True)
class Instrument:
    name: str
    audioset: str
    family: str
    keys: tuple[int, int]
    chords: bool = False


MELODIC = tuple(
    Instrument(*row)  # type: ignore[arg-type]
    for row in (
        ("piano", "Piano", "keyboard", (48, 84), True),
        ("electric_piano", "Electric piano", "keyboard", (48, 84), True),
        ("harpsichord", "Harpsichord", "keyboard", (48, 84), True),
        ("glockenspiel", "Glockenspiel", "mallet", (72, 96)),
        ("vibraphone", "Vibraphone", "mallet", (53, 89)),
        ("marimba", "Marimba, xylophone", "mallet", (48, 84)),
        ("tubular_bells", "Tubular bells", "bell", (60, 77)),
        ("hammond_organ", "Hammond organ", "organ", (48, 84), True),
        ("church_organ", "Organ", "organ", (48, 84), True),
        ("accordion", "Accordion", "free_reed", (53, 81), True),
        ("harmonica", "Harmonica", "free_reed", (60, 84)),
        ("acoustic_guitar", "Acoustic guitar", "guitar", (40, 76), True),
        ("electric_guitar", "Electric guitar", "guitar", (40, 79), True),
        ("bass_guitar", "Bass guitar", "bass", (28, 55)),
        ("violin", "Violin, fiddle", "strings", (55, 88)),
        ("cello", "Cello", "strings", (36, 69)),
        ("double_bass", "Double bass", "bass", (28, 55)),
        ("pizzicato", "Pizzicato", "strings", (43, 79)),
        ("harp", "Harp", "harp", (48, 84), True),
        ("timpani", "Timpani", "drums", (40, 55)),
        ("strings", "String section", "strings", (48, 79), True),
        ("choir", "Choir", "voice", (48, 79), True),
        ("trumpet", "Trumpet", "brass", (55, 82)),
        ("trombone", "Trombone", "brass", (40, 72)),
        ("french_horn", "French horn", "brass", (41, 77)),
        ("saxophone", "Saxophone", "reed", (49, 81)),
        ("clarinet", "Clarinet", "reed", (50, 89)),
        ("flute", "Flute", "flute", (60, 96)),
        ("synthesizer", "Synthesizer", "synth", (48, 84), True),
        ("sitar", "Sitar", "sitar", (48, 77)),
        ("banjo", "Banjo", "guitar", (48, 79)),
        ("bagpipes", "Bagpipes", "reed", (62, 74)),
        ("steelpan", "Steelpan", "mallet", (55, 84)),
    )
)

TRIADS = ((0, 4, 7), (0, 3, 7))


def _forms(inst: Instrument) -> tuple[str, ...]:
    return ("note", "melody", "chord") if inst.chords else ("note", "melody")


class GMInstrument(Synth):
    """A melodic GM instrument (see the module docstring). Subclassed once per instrument."""

    pitched = True
    inst: Instrument

    @property
    def sample_name(self) -> str:
        return self.inst.name

    def _length(self, key: int, max_duration: float) -> float:
        """A note's length: free for sustained samples, else the sample's own ring."""
        s = gm_samples()[self.sample_name]
        return min(s.natural_length_s(key), max_duration)

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        forms = _forms(self.inst)
        form = forms[int(rng.integers(len(forms)))]
        lo, hi = NOTE_POOL if self.pitch_pool else self.inst.keys
        sustained = self.free_duration
        if form == "melody":
            count = int(rng.integers(3, 7))
            beats = rng.choice([1, 1, 2], size=count)
            steps = rng.choice([-4, -3, -2, 2, 3, 4, 5], size=count - 1)
            keys = np.concatenate([[0], np.cumsum(steps)])
            keys = keys - keys.min() + int(rng.integers(lo, max(lo + 1, hi - 12)))
            keys = np.clip(keys, lo, hi)
            if sustained:
                total = free_duration(rng, max_duration)
            else:
                total = min(float(beats.sum()) * float(rng.uniform(0.18, 0.3)), max_duration)
            beat = total / float(beats.sum())
            tempo = 30.0 / beat  # an eighth note per beat unit
            duration = total
            if not sustained:  # the last note rings as long as its sample does
                last = beat * float(beats[-1])
                duration = total - last + min(last, self._length(int(keys[-1]), last))
            return EventSpec(
                self.name,
                duration=duration,
                repetitions=count,
                form=form,
                notes=tuple(int(k) for k in keys),
                tempo_bpm=round(tempo, 1),
                params={f"b{i}": float(b) for i, b in enumerate(beats)} | {"beat": beat},
            )
        root = int(rng.integers(lo, hi + 1))
        if form == "chord":
            root = min(root, hi - 7)
            keys = tuple(root + i for i in TRIADS[int(rng.integers(len(TRIADS)))])
        else:
            keys = (root,)
        duration = (
            free_duration(rng, max_duration) if sustained else self._length(root, max_duration)
        )
        return EventSpec(
            self.name,
            duration=duration,
            pitch_hz=midi_hz(root) if form == "note" else None,
            form=form,
            notes=keys,
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        s = gm_samples()[self.sample_name]
        keys = spec.notes or (60,)
        out = np.zeros(n, F32)
        if spec.form == "melody":
            beat = spec.params["beat"]
            t = 0.0
            for i, key in enumerate(keys):
                start = round(t * sample_rate)
                length = beat * spec.params[f"b{i}"]
                out[start:] += play_note(s, key, n - start, sample_rate, length - RELEASE_S)
                t += length
        else:
            gate = spec.duration - RELEASE_S
            for key in keys:
                out += play_note(s, key, n, sample_rate, gate, RELEASE_S)
        return fade(out, sample_rate, 0.002, 0.02)


@dataclass(frozen=True)
class Piece:
    """A drum of the GM kit: its sample, AudioSet name, and strike spacing range (s)."""

    name: str
    sample: str
    audioset: str
    period: tuple[float, float] = (0.3, 0.6)


PERCUSSION = (
    Piece("bass_drum", "bass_drum", "Bass drum"),
    Piece("snare_drum", "snare", "Snare drum"),
    Piece("hi_hat", "closed_hihat", "Hi-hat", (0.2, 0.4)),
    Piece("cymbal", "crash", "Cymbal", (0.7, 1.1)),
    Piece("tambourine", "tambourine", "Tambourine"),
    Piece("cowbell", "cowbell", "Cowbell"),
    Piece("maraca", "maracas", "Maraca", (0.2, 0.4)),
    Piece("wood_block", "wood_block", "Wood block"),
    Piece("rimshot", "side_stick", "Rimshot"),
    Piece("clapping", "hand_clap", "Clapping"),
)


class GMPercussion(Synth):
    """A drum of the kit struck 2-5 times at a steady tempo (countable)."""

    countable = True
    family = "drums"
    piece: Piece

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        s = gm_samples()[self.piece.sample]
        period = float(rng.uniform(*self.piece.period))
        unit = min(s.natural_length_s(s.root_key), period * 0.9, 0.6)
        reps, period = fit_count(draw_count(rng), period, unit, max_duration, unit + 0.05)
        unit = min(unit, max_duration)
        return EventSpec(
            self.name,
            duration=(reps - 1) * period + unit,
            repetitions=reps,
            tempo_bpm=round(60.0 / period, 1),
            params={"period": period, "unit": unit},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        s = gm_samples()[self.piece.sample]
        unit = spec.params["unit"]
        m = min(n, round(unit * sample_rate))
        hit = fade(play_note(s, s.root_key, m, sample_rate, unit), sample_rate, 0.001, 0.02)
        out = np.zeros(n, F32)
        for r in range(spec.repetitions):
            start = round(r * spec.params["period"] * sample_rate)
            stop = min(n, start + m)
            out[start:stop] += hit[: stop - start] * F32(rng.uniform(0.85, 1.0))
        return out


@register_synth
class DrumRoll(Synth):
    """A snare drum roll: fast, even strokes for a free duration."""

    name = "drum_roll"
    family = "drums"
    audioset = "Drum roll"
    free_duration = True

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        return EventSpec(
            self.name,
            duration=free_duration(rng, max_duration),
            params={"rate": float(rng.uniform(12.0, 18.0))},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        s = gm_samples()["snare"]
        period = round(sample_rate / spec.params["rate"])
        m = min(n, 2 * period)
        hit = fade(
            play_note(s, s.root_key, m, sample_rate, m / sample_rate), sample_rate, 0.001, 0.01
        )
        out = np.zeros(n, F32)
        for start in range(0, n, period):
            stop = min(n, start + m)
            out[start:stop] += hit[: stop - start] * F32(rng.uniform(0.6, 0.8))
        return fade(out, sample_rate, 0.002, 0.03)


@register_synth
class DrumKit(Synth):
    """A drum kit playing a basic rock beat for one or two bars."""

    name = "drum_kit"
    family = "drums"
    audioset = "Drum kit"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        bars = int(rng.integers(1, 3))
        tempo = float(rng.uniform(80.0, 140.0))
        while bars * 4 * 60.0 / tempo > max_duration and tempo < 200.0:
            if bars > 1:
                bars -= 1
            else:
                tempo = min(200.0, 4 * 60.0 / max(max_duration, 0.5))
        tempo = round(tempo, 1)
        return EventSpec(
            self.name,
            duration=min(bars * 4 * 60.0 / tempo, max_duration),
            repetitions=bars,
            tempo_bpm=tempo,
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        samples = gm_samples()
        eighth = 30.0 / float(spec.tempo_bpm or 120.0)
        out = np.zeros(n, F32)
        for step in range(spec.repetitions * 8):
            start = round(step * eighth * sample_rate)
            if start >= n:
                break
            parts = ["closed_hihat"]
            if step % 4 == 0:
                parts.append("bass_drum")
            elif step % 4 == 2:
                parts.append("snare")
            for part in parts:
                s = samples[part]
                m = min(n - start, round(min(0.4, 2 * eighth) * sample_rate))
                hit = play_note(s, s.root_key, m, sample_rate, m / sample_rate)
                out[start : start + m] += fade(hit, sample_rate, 0.001, 0.02) * F32(
                    0.6 if part == "closed_hihat" else 1.0
                )
        return fade(out, sample_rate, 0.001, 0.03)


def _register() -> tuple[str, ...]:
    """Register one class per instrument and drum (names in table order)."""
    names = []
    samples = gm_samples()
    for inst in MELODIC:
        covers = inst.keys[0] <= NOTE_POOL[0] and inst.keys[1] >= NOTE_POOL[1]
        pool = "note" if covers and inst.name not in AMBIGUOUS_PITCH else ""
        cls = type(
            f"GM_{inst.name}",
            (GMInstrument,),
            {
                "name": inst.name,
                "inst": inst,
                "family": inst.family,
                "audioset": inst.audioset,
                "pitch_pool": pool,
                "free_duration": samples[inst.name].sustained,
                "__doc__": f"{inst.audioset} (General MIDI sample).",
            },
        )
        register_synth(cls)
        names.append(inst.name)
    for piece in PERCUSSION:
        cls = type(
            f"GM_{piece.name}",
            (GMPercussion,),
            {"name": piece.name, "piece": piece, "audioset": piece.audioset},
        )
        register_synth(cls)
        names.append(piece.name)
    return (*names, "drum_roll", "drum_kit")


INSTRUMENTS = _register()
"""Every class of this module."""
