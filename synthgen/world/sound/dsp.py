"""Small vectorised signal helpers shared by the synthesisers, the mixer and the checks.

Everything works on float32 numpy arrays and costs O(samples) with no Python loop over
samples: a 10-s 16 kHz clip has to be made, checked and encoded in a few milliseconds
(``bench/audio.py``), so helpers avoid ``np.interp`` on whole clips, per-sample recursions and
float64 where float32 is exact enough.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from synthgen.errors import UserError

F32 = np.float32

ACTIVE_DB = 20.0
"""A frame is *active* for a sound when it holds at least this many dB below the sound's
loudest frame: the span a listener hears the sound in (gaps between knocks are not)."""


def db_to_amp(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def power_db(power: float, floor: float = 1e-20) -> float:
    """``10 log10(power)`` with a floor, so silence reads as -200 dB instead of -inf."""
    return float(10.0 * np.log10(max(power, floor)))


def analysis_frame(sample_rate: int) -> int:
    """STFT frame length: the power of two nearest to 32 ms (512 at 16 kHz, 1024 at 44.1k)."""
    return int(2 ** round(np.log2(0.032 * sample_rate)))


def seconds(n: int, sample_rate: int) -> np.ndarray:
    """Time axis ``[0, n)`` in seconds, float32."""
    return np.arange(n, dtype=F32) * F32(1.0 / sample_rate)


def fade(x: np.ndarray, sample_rate: int, attack_s: float, release_s: float) -> np.ndarray:
    """Linear fade-in over ``attack_s`` and fade-out over ``release_s``, in place on the
    edges only (a full-length envelope would cost a pass over every sample); returns ``x``."""
    n = x.size
    a = min(n, max(1, round(attack_s * sample_rate)))
    r = min(n, max(1, round(release_s * sample_rate)))
    x[:a] *= np.arange(1, a + 1, dtype=F32) / F32(a)
    x[n - r :] *= np.arange(r, 0, -1, dtype=F32) / F32(r)
    return x


CONTROL_STEP = 32
"""Samples per step of slow control signals (gusts, swells, sweeps): 2 ms at 16 kHz."""


def control(n: int, sample_rate: int) -> tuple[np.ndarray, int]:
    """Time axis (s, float32) of a control signal sampled every :data:`CONTROL_STEP` samples
    for ``n`` samples, and the step; expand a control with :func:`expand`."""
    steps = -(-n // CONTROL_STEP)
    return np.arange(steps, dtype=F32) * F32(CONTROL_STEP / sample_rate), CONTROL_STEP


def expand(values: np.ndarray, n: int) -> np.ndarray:
    """A control signal held over its steps, ``n`` samples long. Modulations below ~20 Hz
    change by well under 1 % per 2-ms step, so holding costs one copy instead of evaluating
    ``sin``/``exp`` at every sample."""
    return np.repeat(values.astype(F32, copy=False), CONTROL_STEP)[:n]


def gate(local_t: np.ndarray, length_s: float, edge_s: float = 0.004) -> np.ndarray:
    """A burst envelope on a per-repetition clock: 1 inside ``[0, length_s)``, with linear
    ``edge_s`` ramps, 0 after (clicks would add broadband energy the graph does not claim)."""
    edge = F32(max(edge_s, 1e-4))
    return np.clip(np.minimum(local_t / edge, (F32(length_s) - local_t) / edge), 0.0, 1.0)


def grains(n: int, starts: np.ndarray, grain: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """Overlap-add copies of ``grain`` (1-D, or one row per start) at sample offsets
    ``starts`` scaled by ``gains``.

    One ``np.bincount`` instead of a Python loop: rain drops, clock ticks and footsteps are
    hundreds of short grains per clip. Grains running past ``n`` are cut.
    """
    starts = np.asarray(starts, dtype=np.int64)
    if starts.size == 0:
        return np.zeros(n, F32)
    width = grain.shape[-1]
    idx = starts[:, None] + np.arange(width)[None, :]
    weights = np.asarray(gains, dtype=np.float64)[:, None] * grain
    if int(starts.max()) + width > n:
        keep = idx < n
        idx, weights = idx[keep], weights[keep]
    out = np.bincount(idx.ravel(), weights=weights.ravel(), minlength=n)
    return out[:n].astype(F32)


PHASE_BITS = 32
"""Oscillator phases are uint32 fractions of a cycle: exact, wrap for free, and cheap (a
float64 phase ramp with ``floor`` costs ten times more than the uint32 multiply)."""


def phase_step(freq: float, sample_rate: int) -> int:
    """Phase increment per sample of a ``freq`` Hz oscillator, in 2**-32 cycles."""
    return round(freq / sample_rate * 2**PHASE_BITS) % 2**PHASE_BITS


def tone_phase(n: int, freq: float, sample_rate: int) -> np.ndarray:
    """uint32 phases of a steady ``freq`` Hz oscillator starting at phase 0."""
    return np.arange(n, dtype=np.uint32) * np.uint32(phase_step(freq, sample_rate))


def phase_from_freq(freq: np.ndarray, sample_rate: int) -> np.ndarray:
    """uint32 phases of an oscillator following ``freq`` Hz per sample (integrated exactly
    in wrapping uint32 arithmetic, so long glides keep their pitch)."""
    steps = (freq * F32(2**PHASE_BITS / sample_rate)).astype(np.uint32)
    return np.cumsum(steps, dtype=np.uint32)


def sine(phase: np.ndarray) -> np.ndarray:
    """``sin`` of uint32 phases, float32."""
    return np.sin((phase >> 8).astype(F32) * F32(2.0 * np.pi / 2**24))


def sine_cycles(cycles: np.ndarray) -> np.ndarray:
    """``sin(2 pi cycles)`` for float32 phases in cycles (closed-form chirps)."""
    return np.sin(F32(2.0 * np.pi) * (cycles - np.floor(cycles))).astype(F32, copy=False)


def pan_gains(pan: float, channels: int) -> tuple[float, ...]:
    """Constant-power pan law: ``pan`` -1 (left) .. 1 (right); mono ignores it (gain 1)."""
    if channels == 1:
        return (1.0,)
    theta = (pan + 1.0) * np.pi / 4.0
    left, right = float(np.cos(theta)), float(np.sin(theta))
    return (left, right) if channels == 2 else (left, right) + (0.5,) * (channels - 2)


def frame_energy(x: np.ndarray, hop: int) -> np.ndarray:
    """Mean square of ``x`` in consecutive blocks of ``hop`` samples (the last one partial)."""
    n = x.size
    full = n // hop
    blocks = x[: full * hop].reshape(full, hop)
    out = np.einsum("ij,ij->i", blocks, blocks) / F32(hop)
    if n > full * hop:
        tail = x[full * hop :]
        out = np.append(out, np.dot(tail, tail) / F32(tail.size))
    return out


def active_rms(x: np.ndarray, hop: int, active_db: float = ACTIVE_DB) -> float:
    """RMS of ``x`` over its active blocks (see :data:`ACTIVE_DB`); 0 for silence."""
    e = frame_energy(x, hop)
    if e.size == 0 or float(e.max()) <= 0.0:
        return 0.0
    active = e >= e.max() * 10.0 ** (-active_db / 10.0)
    return float(np.sqrt(e[active].mean()))


SCIPY_HINT = "pip install scipy, or pip install -e '.[audio]'"

POCKETFFT = "scipy.fft._pocketfft.pypocketfft"
"""scipy's compiled FFT module, whose ``r2c`` is what ``scipy.fft.rfft`` runs."""


class MissingScipy(UserError):
    """scipy is not installed, and the sound world's spectrograms need its FFT (a user error:
    the CLI prints the one line and exits 2)."""


def _pocketfft_rfft() -> Callable[..., np.ndarray] | None:
    """scipy's rfft kernel, loaded from its extension file without importing ``scipy.fft``.

    ``import scipy.fft`` costs 0.2-0.4 s of CPU (its package init builds the array-API layer,
    which clones numpy and imports numpy.f2py, numpy.testing and scipy.special), more than a
    whole replay of one clip should take (issue #16). ``scipy.fft.rfft(x, axis=a)`` on an
    aligned float32 array does nothing but call ``pypocketfft.r2c(x, (a,), True, 0, None, 1)``
    (forward, norm "backward", one worker), so calling that directly gives the same bytes
    (``tests/audio/test_fft_backend.py`` compares them). It is not put in ``sys.modules``; a
    later ``import scipy.fft`` gets the same extension from CPython's cache of initialised
    extension modules (``r2c`` is the same object). None when it cannot be found or loaded
    (no scipy, another layout): :func:`fft_backend` then imports ``scipy.fft``."""
    r2c = _load_pocketfft_r2c()
    if r2c is None:
        return None
    try:  # the call scipy.fft makes; another scipy's signature fails here, not mid-dataset
        probe = r2c(np.ones((1, 8), F32), (1,), True, 0, None, 1)
        if probe.shape != (1, 5) or probe.dtype != np.complex64 or float(probe[0, 0].real) != 8:
            return None
    except Exception:  # pragma: no cover - depends on the installed scipy
        return None

    def rfft(x: np.ndarray, axis: int = -1) -> np.ndarray:
        if x.dtype not in (F32, np.float64) or not x.flags.aligned:
            raise TypeError("the pocketfft path takes aligned float32/float64 arrays")
        return r2c(x, (axis,), True, 0, None, 1)

    return rfft


def _load_pocketfft_r2c() -> Callable[..., np.ndarray] | None:
    import importlib.machinery
    import importlib.util
    import os
    import sys

    if POCKETFFT in sys.modules:  # scipy.fft is imported already
        return getattr(sys.modules[POCKETFFT], "r2c", None)
    try:
        spec = importlib.util.find_spec("scipy")  # finds the package, imports nothing
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "fft", "_pocketfft", "pypocketfft" + suffix)
            if not os.path.isfile(path):
                continue
            try:
                loader = importlib.machinery.ExtensionFileLoader(POCKETFFT, path)
                found = importlib.util.spec_from_file_location(POCKETFFT, path, loader=loader)
                if found is None:
                    return None
                module = importlib.util.module_from_spec(found)
                loader.exec_module(module)
                return module.r2c
            except Exception:  # pragma: no cover - depends on the installed scipy
                return None
    return None


@cache
def fft_backend() -> tuple[Callable[..., np.ndarray], int, type]:
    """(rfft, frames per call, input dtype) for :meth:`Spectrogram.power`: scipy's float32
    FFT, 128 frames per call.

    scipy's FFT decides output bytes: the spectrogram feeds the graph's loudness, the
    audibility and separability checks and the rounded values in records, and numpy's FFT
    differs from it in the last bits of most bins (float32 or float64 alike), which can move
    a rounded value or flip a margin check. So there is no numpy fallback: without scipy
    this raises :class:`MissingScipy` (the audiocaps program checks it at preflight and says
    how to install it) instead of making records that do not replay elsewhere.

    scipy's kernel is called directly (:func:`_pocketfft_rfft`; ``scipy.fft.rfft`` itself only
    if that fails). Blocks of 128 frames: a block that stops fitting in cache slows the FFT
    several-fold (measured in bench/audio.py's development)."""
    rfft = _pocketfft_rfft()
    if rfft is None:
        try:
            from scipy.fft import rfft
        except ImportError:
            raise MissingScipy(
                "the sound world needs scipy: its FFT decides the record bytes, and numpy's "
                f"FFT gives other bytes ({SCIPY_HINT})"
            ) from None
    return rfft, 128, np.float32


class Spectrogram:
    """Power spectrogram helper for one sample rate: Hann frames of :func:`analysis_frame`
    samples every ``frame // 2``. ``power`` rows are normalised so that a row sums to the mean
    square of the signal in that frame (Parseval with the window's energy), so band sums read
    directly as signal power and compare across frame lengths.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.frame = analysis_frame(sample_rate)
        self.hop = self.frame // 2
        self.window = np.hanning(self.frame + 2)[1:-1].astype(F32)
        self._rfft, self._block, dtype = fft_backend()
        self._window = self.window.astype(dtype)
        scale = np.full(self.frame // 2 + 1, 2.0)
        scale[0] = scale[-1] = 1.0
        self.bin_scale = (scale / (self.frame * float(np.sum(self.window**2)))).astype(F32)
        self.freqs = np.fft.rfftfreq(self.frame, 1.0 / sample_rate)
        self.a_weight = a_weighting(self.freqs).astype(F32)

    @property
    def bins(self) -> int:
        return self.frame // 2 + 1

    def n_frames(self, n: int) -> int:
        """Frames that lie wholly inside a signal of ``n`` samples (frame j starts at j*hop)."""
        return 0 if n < self.frame else (n - self.frame) // self.hop + 1

    def power(self, x: np.ndarray, step: int = 1) -> np.ndarray:
        """(frames, bins) float32 power of the frames of ``x`` starting at 0, hop, 2*hop...
        (every ``step``-th of them).

        Transformed a block of frames at a time with scipy's FFT (see :func:`fft_backend`).
        """
        count = -(-self.n_frames(x.size) // step)
        out = np.empty((count, self.bins), F32)
        if count == 0:
            return out
        view = np.lib.stride_tricks.sliding_window_view(x, self.frame)
        frames = view[:: self.hop * step][:count]
        size = self._block
        for i in range(0, count, size):
            spec = self._rfft(frames[i : i + size] * self._window, axis=1)
            block = out[i : i + size]
            np.multiply(spec.real, spec.real, out=block)
            block += spec.imag * spec.imag
            block *= self.bin_scale
        return out

    def frames_covering(self, start: int, stop: int, n: int) -> tuple[int, int]:
        """Frame range ``[j0, j1)`` of a clip of ``n`` samples that overlaps ``[start, stop)``."""
        j0 = max(0, -(-(start - self.frame + 1) // self.hop))
        j1 = min(self.n_frames(n), (stop - 1) // self.hop + 1)
        return j0, max(j0, j1)

    def power_at(self, x: np.ndarray, start: int, j0: int, j1: int, step: int = 1) -> np.ndarray:
        """Power of clip frames ``j0, j0 + step, ... < j1`` of a signal that is ``x`` placed
        at sample ``start`` of the clip and zero elsewhere (a stem), without building the clip."""
        if j1 <= j0:
            return np.zeros((0, self.bins), F32)
        lo = j0 * self.hop
        buf = np.zeros((j1 - 1 - j0) * self.hop + self.frame, F32)
        a, b = max(start, lo), min(start + x.size, lo + buf.size)
        if b > a:
            buf[a - lo : b - lo] = x[a - start : b - start]
        return self.power(buf, step)

    def band_bins(self, lo_hz: float, hi_hz: float) -> tuple[int, int]:
        """Bins ``[k0, k1)`` whose centres lie in ``[lo_hz, hi_hz]`` (at least one bin)."""
        df = self.sample_rate / self.frame
        k0 = int(np.clip(np.ceil(lo_hz / df), 0, self.bins - 1))
        k1 = int(np.clip(np.floor(hi_hz / df) + 1, k0 + 1, self.bins))
        return k0, k1


def a_weighting(freqs: np.ndarray) -> np.ndarray:
    """IEC 61672 A-weighting as a *power* gain per frequency (1 at 1 kHz): loudness in the
    graph is A-weighted so that "louder than" follows hearing (a 40 Hz hum at the same RMS as a
    2 kHz beep sounds far quieter)."""
    f2 = np.asarray(freqs, dtype=np.float64) ** 2
    num = (12194.0**2) * f2**2
    den = (f2 + 20.6**2) * np.sqrt((f2 + 107.7**2) * (f2 + 737.9**2)) * (f2 + 12194.0**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ra = np.where(den > 0, num / den, 0.0)
    return (ra / 0.7943282347242815) ** 2  # R_A(1 kHz) = 10^(-2/20)
