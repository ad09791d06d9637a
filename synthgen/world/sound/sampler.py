"""A small SoundFont sample player in numpy, over the General MIDI samples shipped as data.

``data/gm_samples.npy`` / ``.json`` hold one mono sample per instrument or drum, extracted
from FluidR3_GM by ``scripts/build_gm_sound.py`` (licence: ``data/NOTICE.md``).
:func:`play_note` plays one at any MIDI pitch the way a SoundFont synthesiser does, minus
the filters and modulators: pitch by resampling (linear interpolation,
``2 ** ((key - root + tune/100) / 12)`` source samples per source-rate sample; the tune is
the sample's pitch correction plus the zone's coarse and fine tune, added as SF2 defines
it), the sample's loop ``[loop_start, loop_end)`` repeated while the note is held
(sustained samples the SoundFont does not loop get a cross-faded loop over their last
:data:`XFADE_S`), and a volume envelope: linear attack, exponential decay to the sustain
level, linear release after the note's gate. Onsets and pitches are exact by
construction: a note starts at the sample it is placed at, at its key's pitch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import numpy as np

from synthgen.world.sound.dsp import F32

XFADE_S = 0.25
"""Length of the cross-faded loop made for a sustained sample without its own loop."""
AUDIBLE_DB = 25.0
"""A one-shot sample's sound is taken to end where it is this far under its peak level."""
SILENT_DB = -100.0
"""A sustain at or below this is a decaying (plucked, struck) sample: no loop is made."""


@dataclass(frozen=True)
class GMSample:
    """One sample: float32 PCM at ``rate``, its root key and tuning, its loop (``None`` for a
    one-shot), and its volume envelope (seconds; sustain in dB)."""

    name: str
    pcm: np.ndarray
    rate: int
    root_key: int
    tune_cents: int
    loop: tuple[int, int] | None
    attack_s: float
    decay_s: float
    sustain_db: float
    release_s: float

    @property
    def sustained(self) -> bool:
        return self.loop is not None and self.sustain_db > SILENT_DB

    def natural_length_s(self, key: float) -> float:
        """How long a one-shot sample is heard at ``key``: until its 10-ms level falls
        :data:`AUDIBLE_DB` under its loudest (its recorded decay; the PCM read faster or
        slower at other keys)."""
        return self.audible_samples / self.rate / self.ratio(key)

    @cached_property
    def audible_samples(self) -> int:
        block = max(1, self.rate // 100)
        m = self.pcm.size // block
        if m == 0:
            return self.pcm.size
        power = np.square(self.pcm[: m * block].astype(np.float64)).reshape(m, block).mean(1)
        loud = np.flatnonzero(power >= power.max() * 10.0 ** (-AUDIBLE_DB / 10.0))
        return int((loud[-1] + 1) * block)

    def ratio(self, key: float) -> float:
        """Source samples per source-rate sample at ``key``."""
        return float(2.0 ** ((key - self.root_key + self.tune_cents / 100.0) / 12.0))


def _with_loop(pcm: np.ndarray, rate: int) -> tuple[np.ndarray, tuple[int, int]]:
    """A sustained sample without a loop: its tail cross-faded into itself, looped."""
    n = round(XFADE_S * rate)
    head = pcm[: pcm.size - n].copy()
    a = head.size - n
    ramp = np.linspace(0.0, 1.0, n, dtype=F32)
    head[a:] = head[a:] * (1 - ramp) + pcm[pcm.size - n :] * ramp
    return head, (a - n, a)


@cache
def gm_samples() -> dict[str, GMSample]:
    """The shipped samples by name (read on first use, ~2 MB)."""
    data = resources.files("synthgen.world.sound").joinpath("data")
    doc = json.loads(data.joinpath("gm_samples.json").read_text(encoding="utf-8"))
    with data.joinpath("gm_samples.npy").open("rb") as f:
        pcm_all = np.load(f, allow_pickle=False).astype(F32) / F32(32768.0)
    out = {}
    for name, m in doc["samples"].items():
        pcm = pcm_all[m["offset"] : m["offset"] + m["length"]]
        loop = tuple(m["loop"]) if m["loop"] else None
        sustained_one_shot = loop is None and m["sustain_db"] > SILENT_DB and m["bank"] == 0
        if sustained_one_shot and pcm.size > 4 * XFADE_S * doc["rate"]:
            pcm, loop = _with_loop(pcm, doc["rate"])
        out[name] = GMSample(
            name=name,
            pcm=np.ascontiguousarray(pcm),
            rate=int(doc["rate"]),
            root_key=int(m["root_key"]),
            tune_cents=int(m["tune_cents"]),
            loop=loop,  # type: ignore[arg-type]
            attack_s=float(m["attack_s"]),
            decay_s=float(m["decay_s"]),
            sustain_db=float(m["sustain_db"]),
            release_s=float(m["release_s"]),
        )
    return out


def play_note(
    sample: GMSample, key: float, n: int, sample_rate: int, gate_s: float, release_s: float = 0.08
) -> np.ndarray:
    """``n`` float32 samples of ``sample`` played at MIDI ``key``: held for ``gate_s`` seconds
    then released over ``release_s`` (capped by the sample's own release), zero after."""
    step = sample.ratio(key) * sample.rate / sample_rate
    pos = np.arange(n, dtype=np.float64) * step
    if sample.loop is not None:
        ls, le = sample.loop
        over = pos >= le
        pos[over] = ls + np.mod(pos[over] - ls, le - ls)
    valid = pos < sample.pcm.size - 1
    i = np.minimum(pos.astype(np.int64), sample.pcm.size - 2)
    frac = (pos - i).astype(F32)
    x = sample.pcm[i] * (F32(1.0) - frac) + sample.pcm[i + 1] * frac
    x[~valid] = 0.0
    t = np.arange(n, dtype=F32) * F32(1.0 / sample_rate)
    attack = F32(max(sample.attack_s, 0.002))
    env = np.minimum(F32(1.0), t / attack)
    if sample.sustain_db > SILENT_DB:
        floor = F32(10.0 ** (sample.sustain_db / 20.0))
        tau = F32(max(sample.decay_s, 0.01) / 5.0)
        env *= floor + (F32(1.0) - floor) * np.exp(-np.maximum(t - attack, 0) / tau)
    else:  # decays to silence over decay_s: -100 dB at its end
        env *= np.exp(-np.maximum(t - attack, 0) * F32(11.5 / max(sample.decay_s, 0.05)))
    rel = F32(max(0.01, min(release_s, sample.release_s)))
    after = t - F32(gate_s)
    env *= np.where(after > 0, np.maximum(F32(0.0), F32(1.0) - after / rel), F32(1.0))
    return (x * env).astype(F32)
