"""Signal measurements of a rendered scene: what the graph records and the oracle checks.

Per event, on its stem's power spectrogram over the clip frames its span touches
(:class:`~synthgen.world.sound.dsp.Spectrogram`: Hann, 32 ms, hop 16 ms; steady textures such
as rain, wind and engine hum on every other frame, which halves the longest FFT work and
changes nothing for a sound whose statistics do not move from frame to frame):

* **active frames**: frames within :data:`~synthgen.world.sound.dsp.ACTIVE_DB` of the
  event's loudest frame (the knocks, not the silence between them);
* **band**: the frequency range holding the middle 90 % of its energy (5th-95th percentile);
* **loudness**: A-weighted RMS level over the active frames, dB re full scale;
* **SNR**: its energy in its band over its active frames against the background's energy in
  the same band and frames, in the channel where it is loudest (``audibility`` filter);
* **retention** against another event: the share of its energy left in the time-frequency
  cells it dominates (an ideal binary mask) where the two overlap in time; an event that
  keeps little of its energy is masked, not separable (``separability`` filter).

The background's band energies come from its noise table's precomputed spectrogram
(:meth:`~synthgen.world.sound.noise.NoiseBank.band_power`), read at the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from synthgen.world.sound.dsp import ACTIVE_DB, power_db
from synthgen.world.sound.synth import get_synth

if TYPE_CHECKING:
    from synthgen.world.sound.render import RenderedScene

BAND_SHARE = 0.05
"""Energy share left out below and above an event's band."""


@dataclass
class EventMeasure:
    """Measurements of one event (see the module docstring). ``power`` is (frames, bins) for
    clip frames ``j0, j0 + step, ... < j1`` (``step`` 2 for stationary textures, on even
    frames so that two of them share frames); ``band_bins`` is ``[k0, k1)``."""

    j0: int
    j1: int
    step: int
    power: np.ndarray
    active: np.ndarray
    energy: float
    band_hz: tuple[float, float]
    band_bins: tuple[int, int]
    loudness_db: float
    snr_db: float


@dataclass
class SceneMeasurements:
    events: list[EventMeasure]

    def retention(self, i: int, j: int) -> tuple[float, float]:
        """(share of i's energy it keeps, share of j's it keeps) where i and j overlap.

        Energies are per analysed frame, so an event analysed on every other frame counts
        its loss on those frames against its energy on those frames."""
        a, b = self.events[i], self.events[j]
        step = max(a.step, b.step)
        lo, hi = max(a.j0, b.j0), min(a.j1, b.j1)
        lo += (-lo) % step
        if hi <= lo or a.energy <= 0 or b.energy <= 0:
            return 1.0, 1.0
        pa = a.power[(lo - a.j0) // a.step : (hi - a.j0 + a.step - 1) // a.step : step // a.step]
        pb = b.power[(lo - b.j0) // b.step : (hi - b.j0 + b.step - 1) // b.step : step // b.step]
        rows = min(len(pa), len(pb))
        pa, pb = pa[:rows], pb[:rows]
        scale_a, scale_b = step // a.step, step // b.step
        a_wins = pa > pb
        lost_a = float(pa.sum(dtype=np.float64) - pa[a_wins].sum(dtype=np.float64)) * scale_a
        lost_b = float(pb[a_wins].sum(dtype=np.float64)) * scale_b
        return max(0.0, 1.0 - lost_a / a.energy), max(0.0, 1.0 - lost_b / b.energy)


def _band(spectrum: np.ndarray, freqs: np.ndarray) -> tuple[tuple[float, float], tuple[int, int]]:
    cum = np.cumsum(spectrum, dtype=np.float64)
    total = cum[-1]
    if total <= 0:
        return (0.0, 0.0), (0, 1)
    k0 = int(np.searchsorted(cum, BAND_SHARE * total))
    k1 = int(np.searchsorted(cum, (1.0 - BAND_SHARE) * total)) + 1
    half = (freqs[1] - freqs[0]) / 2.0
    return (max(0.0, freqs[k0] - half), freqs[k1 - 1] + half), (k0, k1)


def measure(scene: RenderedScene) -> SceneMeasurements:
    """Measure every event of ``scene`` (normally via ``scene.measurements``, cached)."""
    spec = scene.bank.spectrogram
    out = []
    for stem, ev in zip(scene.stems, scene.spec.events, strict=True):
        j0, j1 = spec.frames_covering(stem.start, stem.stop, scene.n)
        step = 2 if get_synth(ev.label).stationary else 1
        j0 += j0 % step
        power = spec.power_at(stem.samples, stem.start, j0, j1, step)
        frames = np.arange(j0, j1, step)[: len(power)]
        frame_power = power.sum(axis=1, dtype=np.float64)
        if frame_power.size == 0 or frame_power.max() <= 0:
            out.append(
                EventMeasure(
                    j0, j1, step, power, np.zeros(0, bool), 0.0, (0, 0), (0, 1), -200, -200
                )
            )
            continue
        active = frame_power >= frame_power.max() * 10.0 ** (-ACTIVE_DB / 10.0)
        act = power[active]
        band_hz, (k0, k1) = _band(act.sum(axis=0, dtype=np.float64), spec.freqs)
        loud = float((act @ spec.a_weight).mean(dtype=np.float64))
        event_band = float(act[:, k0:k1].sum(dtype=np.float64))
        snr = -200.0
        for channel, gain in enumerate(stem.gains):
            bg = scene.bank.band_power(
                scene.spec.background, scene.background_offsets[channel], frames, k0, k1
            )
            bg_band = float(bg[active].sum()) * scene.background_gain**2
            snr = max(snr, power_db(event_band * gain**2) - power_db(bg_band))
        out.append(
            EventMeasure(
                j0=j0,
                j1=j1,
                step=step,
                power=power,
                active=active,
                energy=float(frame_power.sum()),
                band_hz=band_hz,
                band_bins=(k0, k1),
                loudness_db=power_db(loud),
                snr_db=snr,
            )
        )
    return SceneMeasurements(out)
