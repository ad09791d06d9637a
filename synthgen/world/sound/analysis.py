"""Signal measurements of a rendered scene: what the graph records and the oracle checks.

Per event, on its stem's power spectrogram over the clip frames its span touches
(:class:`~synthgen.world.sound.dsp.Spectrogram`: Hann, 32 ms, hop 16 ms; steady textures such
as rain, wind and engine hum on every other frame, which halves the longest FFT work and
changes nothing for a sound whose statistics do not move from frame to frame):

* **active frames**: frames within :data:`~synthgen.world.sound.dsp.ACTIVE_DB` of the
  event's loudest frame (the knocks, not the silence between them);
* **band**: the frequency range holding the middle 90 % of its energy (5th-95th percentile);
* **loudness**: A-weighted RMS level over the active frames, dB re full scale;
* **SNR**: its energy in its band over its active frames against the energy of *the rest of
  the mix* in the same band and frames -- the background and every other event (a knock
  under a louder engine hum in the knock's band is masked even over a quiet background) --
  in the channel where it is loudest (``audibility`` filter). Parts add in power (they are
  independent sources); :meth:`SceneMeasurements.masked_snr_db` recomputes it for any
  subset of the events, so dropping an inaudible event needs no new FFT;
* **retention** against another event: the share of its energy left in the time-frequency
  cells it dominates (an ideal binary mask) where the two overlap in time; an event that
  keeps little of its energy is masked, not separable (``separability`` filter).

The background's band energies come from its noise table's precomputed spectrogram
(:meth:`~synthgen.world.sound.noise.NoiseBank.band_power`), read at the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    event_band: float = 0.0
    """The event's energy in its band over its active frames (before channel gains)."""
    gains: tuple[float, ...] = (1.0,)
    background_band: tuple[float, ...] = ()
    """The background's energy in the event's band and active frames, per channel."""

    @property
    def active_frames(self) -> np.ndarray:
        """Clip frame indices of the active frames."""
        return np.arange(self.j0, self.j1, self.step)[: len(self.active)][self.active]

    def band_energy_at(self, frames: np.ndarray, k0: int, k1: int) -> float:
        """This event's energy in bins ``[k0, k1)`` summed over clip ``frames`` (a stationary
        event analysed on even frames stands in for an odd frame with the frame before)."""
        if self.power.size == 0 or frames.size == 0:
            return 0.0
        rows = (frames - self.j0) // self.step
        rows = rows[(frames >= self.j0) & (frames < self.j1) & (rows < len(self.power))]
        if rows.size == 0:
            return 0.0
        return float(self.power[rows, k0:k1].sum(dtype=np.float64))


@dataclass
class SceneMeasurements:
    events: list[EventMeasure]

    def masked_snr_db(self, i: int, present: list[int] | None = None) -> float:
        """Event ``i``'s in-band energy over its active frames against the background plus
        the events ``present`` (default: all; ``i`` itself is skipped) in the same band and
        frames, in the channel where that ratio is best, dB."""
        e = self.events[i]
        if e.event_band <= 0:
            return -200.0
        others = range(len(self.events)) if present is None else present
        frames = e.active_frames
        k0, k1 = e.band_bins
        masking = [
            (self.events[j].gains, self.events[j].band_energy_at(frames, k0, k1))
            for j in others
            if j != i
        ]
        best = -200.0
        for c, gain in enumerate(e.gains):
            rest = e.background_band[c] + sum(m * g[c] ** 2 for g, m in masking)
            best = max(best, power_db(e.event_band * gain**2) - power_db(rest))
        return best

    def audible(self, snr_db: float) -> list[int]:
        """The events a listener can pick out: drop the event with the lowest masked SNR
        while it is below ``snr_db``, re-measuring the rest without it (what masked it may
        be gone); the ids kept, in order."""
        keep = list(range(len(self.events)))
        while keep:
            snrs = [(self.masked_snr_db(i, keep), i) for i in keep]
            worst, i = min(snrs)
            if worst >= snr_db:
                break
            keep.remove(i)
        return keep

    def subset(self, keep: list[int]) -> SceneMeasurements:
        """The measurements of the scene with only events ``keep`` (SNRs re-measured)."""
        events = [self.events[i] for i in keep]
        out = SceneMeasurements(events)
        for k, i in enumerate(keep):
            events[k] = replace(events[k], snr_db=self.masked_snr_db(i, keep))
        return out

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
                    j0,
                    j1,
                    step,
                    power,
                    np.zeros(0, bool),
                    0.0,
                    (0, 0),
                    (0, 1),
                    -200,
                    -200,
                    gains=stem.gains,
                )
            )
            continue
        active = frame_power >= frame_power.max() * 10.0 ** (-ACTIVE_DB / 10.0)
        act = power[active]
        band_hz, (k0, k1) = _band(act.sum(axis=0, dtype=np.float64), spec.freqs)
        loud = float((act @ spec.a_weight).mean(dtype=np.float64))
        event_band = float(act[:, k0:k1].sum(dtype=np.float64))
        bg_bands = []
        for channel in range(len(stem.gains)):
            bg = scene.bank.band_power(
                scene.spec.background, scene.background_offsets[channel], frames, k0, k1
            )
            bg_bands.append(float(bg[active].sum()) * scene.background_gain**2)
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
                snr_db=-200.0,
                event_band=event_band,
                gains=stem.gains,
                background_band=tuple(bg_bands),
            )
        )
    measured = SceneMeasurements(out)
    for i, e in enumerate(out):
        if e.event_band > 0:
            e.snr_db = measured.masked_snr_db(i)
    return measured
