"""Speech events through the ``espeak-ng`` command-line synthesiser, when it is installed.

Several languages and voices (:data:`LANGUAGES`, :data:`VARIANTS`): the graph keeps the
transcript, the language and the speaker, so captions and QA can say what was said.

Speech is optional: without ``espeak-ng`` on the PATH :meth:`Speech.available` is False and the
scene sampler drops speech events (the program counts them as skipped). espeak-ng is
deterministic for a given text, voice, speed and pitch, and a call takes ~0.1 s, so each
(sentence, voice) is spoken at one speed and pitch, kept in memory and on disk
(:func:`cache_file`), and events vary it by resampling. Its version
goes into the record's lineage (:func:`espeak_version`), since another version speaks
differently.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import wave
from functools import cache
from pathlib import Path

import numpy as np

from synthgen.cachedir import cache_dir
from synthgen.fsutil import atomic_write_bytes
from synthgen.world.sound.dsp import F32, fade
from synthgen.world.sound.noise import NoiseBank
from synthgen.world.sound.synth import EventSpec, Synth, n_samples, register_synth

PHRASES = (  # no sound names or numbers: captions quote them
    "hello, is anyone there",
    "the train is arriving now",
    "please close the door",
    "good morning everyone",
    "where did you put the keys",
    "it is a lovely day today",
    "let us go for a walk",
    "can you hear me",
    "thank you very much",
    "see you tomorrow",
    "turn left at the corner",
    "the meeting starts at noon",
)
"""English sentences (the first language's)."""

LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    # language name (what captions and answers say) -> (espeak-ng voice, sentences)
    "English": ("en-us", PHRASES),
    "Spanish": (
        "es",
        (
            "buenos días a todos",
            "dónde están las llaves",
            "hace un día precioso",
            "muchas gracias",
            "hasta mañana",
            "vamos a dar un paseo",
        ),
    ),
    "German": (
        "de",
        (
            "guten Morgen zusammen",
            "wo sind die Schlüssel",
            "vielen Dank",
            "bis morgen",
            "das ist ein schöner Tag",
            "gehen wir spazieren",
        ),
    ),
    "French": (
        "fr-fr",
        (
            "bonjour à tous",
            "où sont les clés",
            "merci beaucoup",
            "à demain",
            "quelle belle journée",
            "allons nous promener",
        ),
    ),
    "Italian": (
        "it",
        (
            "buongiorno a tutti",
            "dove sono le chiavi",
            "grazie mille",
            "a domani",
            "che bella giornata",
            "andiamo a fare una passeggiata",
        ),
    ),
}
"""Languages speech events are drawn from (uniformly), with their voices and sentences."""

VARIANTS = {"man": "+m3", "woman": "+f3"}
"""Speaker -> espeak-ng voice variant; the speaker word is what captions say ("a woman
speaks")."""

VOICES = {speaker: "en-us" + variant for speaker, variant in VARIANTS.items()}
"""Speaker -> English voice (kept for callers of the single-language version)."""


@cache
def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


@cache
def espeak_version() -> str | None:
    """``espeak-ng --version``'s version number, or None when it is not installed."""
    path = espeak_path()
    if path is None:
        return None
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    words = out.stdout.split()
    return next((w for w in words if w[:1].isdigit()), "unknown")


SPEED, PITCH = 160, 50
"""espeak-ng speed (words per minute) and pitch (0-99) every sentence is spoken at; each
event then varies both together by resampling (:data:`VARY`)."""
VARY = (0.9, 1.12)
"""Range of the per-event playback-rate factor: faster is also higher, like a smaller
speaker. One espeak-ng call per (sentence, voice) per process, whatever the variation (a
call costs ~0.1 s, a quarter of a 10-s clip's whole budget)."""


def cache_file(text: str, voice: str) -> Path:
    """Where the WAV espeak-ng made for ``text`` in ``voice`` is kept between processes:
    ``$SYNTHGEN_CACHE_DIR/espeak``, else ``$XDG_CACHE_HOME/synthgen/espeak``, else
    ``~/.cache/synthgen/espeak``; named by a hash of the espeak-ng version, voice, speed,
    pitch and text (espeak-ng is deterministic for those, so a kept WAV is the one a new
    call would make)."""
    key = json.dumps([espeak_version(), voice, SPEED, PITCH, text], ensure_ascii=False)
    return cache_dir("espeak") / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.wav"


def _speak(text: str, voice: str) -> bytes:
    """espeak-ng's WAV for ``text``: from the disk cache, else made (and kept; a cache that
    cannot be written is skipped)."""
    path = espeak_path()
    if path is None:
        raise RuntimeError("espeak-ng is not installed")
    kept = cache_file(text, voice)
    try:
        return kept.read_bytes()
    except OSError:
        pass
    cmd = [path, "--stdout", "-v", voice, "-s", str(SPEED), "-p", str(PITCH), text]
    data = subprocess.run(cmd, capture_output=True, check=True, timeout=30).stdout
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(kept, data)
    except OSError:
        pass
    return data


@cache
def spoken(text: str, voice: str) -> tuple[np.ndarray, int]:
    """(float64 samples, rate) of ``text`` in ``voice`` at :data:`SPEED`/:data:`PITCH`,
    leading and trailing silence cut."""
    data = _speak(text, voice)
    with wave.open(io.BytesIO(data)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    x = pcm.astype(np.float64) / 32768.0
    loud = np.flatnonzero(np.abs(x) > 0.01)
    if loud.size:
        x = x[loud[0] : loud[-1] + 1]
    return x, rate


def utterance(text: str, voice: str, factor: float, sample_rate: int) -> np.ndarray:
    """The float32 waveform of ``text`` played ``factor`` times faster, at ``sample_rate``."""
    x, rate = spoken(text, voice)
    step = rate * factor / sample_rate
    n_out = max(1, int(x.size / step))
    return np.interp(np.arange(n_out) * step, np.arange(x.size), x).astype(F32)


@register_synth
class Speech(Synth):
    """A man or a woman saying one short sentence in one of :data:`LANGUAGES` (espeak-ng);
    the event carries the transcript (``text``), the ``language`` and the speaker
    (``timbre``)."""

    name = "speech"
    family = "voice"
    audioset = "Speech"

    def available(self) -> bool:
        return espeak_path() is not None

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        speaker = list(VARIANTS)[int(rng.integers(len(VARIANTS)))]
        language = list(LANGUAGES)[int(rng.integers(len(LANGUAGES)))]
        voice, sentences = LANGUAGES[language]
        text = sentences[int(rng.integers(len(sentences)))]
        factor = round(float(rng.uniform(*VARY)), 3)
        # The duration is the utterance's own: render at a reference rate to measure it.
        length = utterance(text, voice + VARIANTS[speaker], factor, 16000).size / 16000
        return EventSpec(
            self.name,
            duration=min(length, max_duration),
            text=text,
            timbre=speaker,
            language=language,
            params={"factor": factor},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        voice = LANGUAGES[spec.language or "English"][0] + VARIANTS[spec.timbre or "man"]
        x = utterance(spec.text or PHRASES[0], voice, spec.params["factor"], sample_rate)
        out = np.zeros(n, F32)
        out[: min(n, x.size)] = x[:n]
        return fade(out, sample_rate, 0.002, 0.02)
