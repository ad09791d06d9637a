"""The sound world's FFT: scipy's kernel called directly gives ``scipy.fft.rfft``'s bytes,
without ``import scipy.fft`` (issue #16: a one-record replay in well under a second), and a
machine without scipy gets a one-line error instead of records made with another FFT."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synthgen.errors import UserError
from synthgen.world.sound import dsp
from tests.helpers import run_cli

scipy_fft = pytest.importorskip("scipy.fft")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_direct_pocketfft_gives_the_bytes_of_scipy_fft(dtype: type) -> None:
    """Frames of every analysis length the sound world uses (and odd ones), in batches of
    several sizes, scaled over many decades: byte-equal spectra, not merely close ones."""
    rfft = dsp._pocketfft_rfft()
    assert rfft is not None, "scipy's pocketfft extension was not found"
    rng = np.random.default_rng(16)
    for frame in (256, 512, 1024, 2048, 400, 441):
        for rows in (1, 7, 128):
            scale = 10.0 ** rng.uniform(-6, 3)
            x = (rng.standard_normal((rows, frame)) * scale).astype(dtype)
            ours, theirs = rfft(x, axis=1), scipy_fft.rfft(x, axis=1)
            assert ours.dtype == theirs.dtype
            assert ours.tobytes() == theirs.tobytes(), (frame, rows)


def test_spectrogram_powers_are_those_of_scipy_fft(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spectrogram.power (what decides the bytes) gives the same float32 powers with the
    direct kernel as with scipy.fft.rfft, whole clips and stems alike."""
    x = np.random.default_rng(3).standard_normal(16000 * 3).astype(np.float32)
    for sr in (16000, 44100):
        direct = dsp.Spectrogram(sr)
        monkeypatch.setattr(dsp, "fft_backend", lambda: (scipy_fft.rfft, 128, np.float32))
        reference = dsp.Spectrogram(sr)
        monkeypatch.undo()
        assert direct.power(x).tobytes() == reference.power(x).tobytes()
        assert direct.power_at(x[:5000], 7000, 3, 40).tobytes() == (
            reference.power_at(x[:5000], 7000, 3, 40).tobytes()
        )


def test_the_fft_backend_does_not_import_scipy_fft() -> None:
    """``import scipy.fft`` costs 0.2-0.4 s of CPU: the backend must not pay it."""
    code = (
        "import sys\n"
        "from synthgen.world.sound import dsp\n"
        "rfft, block, dtype = dsp.fft_backend()\n"
        "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))\n"
        "print(rfft.__module__, block, dtype.__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.splitlines() == ["[]", "synthgen.world.sound.dsp 128 float32"]


def test_scipy_fft_imported_later_still_works_and_agrees() -> None:
    """The extension is loaded under its own name, so a later ``import scipy.fft`` (CLAP
    resampling, a user's code) gets a working module."""
    code = (
        "import numpy as np\n"
        "from synthgen.world.sound import dsp\n"
        "rfft, _, _ = dsp.fft_backend()\n"
        "import scipy.fft\n"
        "x = np.random.default_rng(0).standard_normal((9, 512)).astype(np.float32)\n"
        "print(rfft(x, axis=1).tobytes() == scipy.fft.rfft(x, axis=1).tobytes())\n"
        "print(scipy.fft.irfft(scipy.fft.rfft(x[0]), 512).shape)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.splitlines() == ["True", "(512,)"]


def test_without_scipy_the_backend_raises_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("scipy", "scipy.fft", dsp.POCKETFFT):  # import scipy -> ImportError
        monkeypatch.setitem(sys.modules, name, None)
    dsp.fft_backend.cache_clear()
    try:
        with pytest.raises(UserError, match=r"needs scipy.*pip install scipy"):
            dsp.fft_backend()
    finally:
        dsp.fft_backend.cache_clear()


NO_SCIPY = (
    "import sys\n"
    "sys.modules['scipy'] = None\n"  # as if scipy were not installed
    "from synthgen.entry import main\n"
    "sys.argv = ['synthgen', *sys.argv[1:]]\n"
    "main()\n"
)


def test_make_and_replay_without_scipy_fail_in_one_line(tmp_path: Path) -> None:
    """No numpy fallback (its FFT gives other bytes): ``make`` stops before writing, and a
    replay of a dataset made elsewhere says what is missing, exit 2 both."""
    out = tmp_path / "ac"
    made = subprocess.run(
        [sys.executable, "-c", NO_SCIPY, "make", "audiocaps", "--n", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 2, made.stdout + made.stderr
    assert "needs scipy" in made.stderr and "Traceback" not in made.stderr
    assert not (out / "data").exists()

    ok = run_cli("make", "audiocaps", "--n", "1", "--workers", "1", "--out", str(out))
    assert ok.returncode == 0, ok.stderr
    rid = "audiocaps-0-0000000000"
    replayed = subprocess.run(
        [sys.executable, "-c", NO_SCIPY, "replay", str(out), rid],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert replayed.returncode == 2, replayed.stdout + replayed.stderr
    assert "needs scipy" in replayed.stderr and "Traceback" not in replayed.stderr
