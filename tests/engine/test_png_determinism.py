"""The png encoder writes the same bytes for the same pixels whatever the process history.

The same images (svg renders, noise, gradients, flat fills, tiny and odd sizes, L/RGB/RGBA
and a 16-bit depth map) are encoded in this process, in fresh interpreters, in forked
workers that first encoded other images, after other images and in reversed order; every
copy must be byte-identical, and every PNG must decode to exactly its input pixels. Golden
digests pin the bytes across machines and library versions (issue #13: ISA-L's deflate gave
different bytes for the same pixels after a resume).
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthgen import encoders
from synthgen.encoders import PngEncoder, resolve_encoders
from synthgen.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


def _hash_noise(height: int, width: int, channels: int, salt: int) -> np.ndarray:
    """Pseudo-random bytes from integer arithmetic alone (stable across numpy versions)."""
    idx = np.arange(height * width * channels, dtype=np.uint64) + np.uint64(salt << 32)
    x = (idx * np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    x ^= x >> np.uint64(29)
    x = (x * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    x ^= x >> np.uint64(32)
    return (x & np.uint64(0xFF)).astype(np.uint8).reshape(height, width, channels)


def _synthetic() -> list[tuple[str, np.ndarray, str]]:
    """(name, pixels, mode) built from arithmetic only: the images the golden digests pin."""
    yy, xx = np.mgrid[0:48, 0:64]
    gradient = np.stack([xx * 4, yy * 5, (xx + yy) * 2, 255 - xx], axis=-1).astype(np.uint8)
    blocks = ((xx // 8 + yy // 6) % 3 * 100).astype(np.uint8)  # flat-shaded, long runs
    return [
        ("noise_rgb_64x48", _hash_noise(48, 64, 3, 1), "RGB"),
        ("noise_l_33x17", _hash_noise(17, 33, 1, 2)[..., 0], "L"),
        ("gradient_rgba_64x48", gradient, "RGBA"),
        ("blocks_l_64x48", blocks, "L"),
        ("flat_rgb_320x240", np.full((240, 320, 3), (90, 140, 200), np.uint8), "RGB"),
        ("tiny_rgb_1x1", np.array([[[1, 2, 3]]], np.uint8), "RGB"),
        ("odd_rgba_7x3", _hash_noise(3, 7, 4, 3), "RGBA"),
    ]


#: sha256 of PngEncoder().encode(image) for _synthetic(), written by the pinned libdeflate
#: (deflate 0.9.0, level 1). A change here changes every dataset's bytes: only on purpose.
GOLDEN = {
    "noise_rgb_64x48": "97f092532116205002794ca2d3a094fef19eb0f56d08589de64227666ea23541",
    "noise_l_33x17": "cfb354d644075754e948e60e75758b779860558f0f849d8d6896913ea0eca1fc",
    "gradient_rgba_64x48": "23825e69914efffb6dff1abe226cd6382f2139df63f7d9a8de2e8abf1667ae3f",
    "blocks_l_64x48": "30e61c4f69c10c56230e3ac4dd01dba80f2da9c3e099e41493944638d82ee37b",
    "flat_rgb_320x240": "60582d4d81809a4f2c3ec2b4f9322a6d3ea2d852cd52ccb6ee1c14f5aa48d662",
    "tiny_rgb_1x1": "fb9f1e711df3c2c9528ca501179caa1fae6e0d6ecfc81224d76a157a607fae5a",
    "odd_rgba_7x3": "d761a65418f13a4200d8d51cca15579cd32dd19d927a45428d267de8c86cea13",
}


def _renders() -> list[tuple[str, np.ndarray, str]]:
    """A few default svg renders (320x240 RGB) and one 16-bit depth map."""
    from synthgen.world import WorldConfig, sample_rendered_scenes
    from synthgen.world.render import PillowRenderer

    made = sample_rendered_scenes(
        [np.random.default_rng(seed) for seed in (0, 1, 7, 42)], WorldConfig(), PillowRenderer()
    )
    out = [(f"svg_{i}", np.asarray(r.image).copy(), r.image.mode) for i, (_, r) in enumerate(made)]
    depth = made[0][1].depth
    mm = np.clip(np.where(np.isfinite(depth), depth * 1000.0, 0.0), 0, 65535).astype(np.uint16)
    out.append(("depth_u16", mm, "I;16"))
    return out


def _image(pixels: np.ndarray, mode: str) -> Image.Image:
    return Image.fromarray(pixels) if mode == "I;16" else Image.fromarray(pixels, mode)


def _encode(pixels: np.ndarray, mode: str) -> bytes:
    return PngEncoder().encode(_image(pixels, mode))[0]


def _digests(images: list[tuple[str, np.ndarray, str]], order: list[int]) -> dict[str, str]:
    return {
        images[i][0]: hashlib.sha256(_encode(images[i][1], images[i][2])).hexdigest() for i in order
    }


def _others(salt: int) -> list[tuple[str, np.ndarray, str]]:
    """Different images, to give an encoder a history before the ones compared."""
    rng = np.random.default_rng(1000 + salt)
    out = []
    for k in range(3 + salt % 3):
        h, w = int(rng.integers(1, 300)), int(rng.integers(1, 300))
        pixels = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        pixels[: h // 2] = pixels[0, 0]  # half flat: matches and literals both
        out.append((f"other_{salt}_{k}", pixels, "RGB"))
    return out


@pytest.fixture(scope="module")
def images() -> list[tuple[str, np.ndarray, str]]:
    return _synthetic() + _renders()


@pytest.fixture(scope="module")
def reference(images) -> dict[str, str]:
    return _digests(images, list(range(len(images))))


def test_decodes_to_exactly_the_input_pixels(images) -> None:
    for name, pixels, mode in images:
        back = Image.open(io.BytesIO(_encode(pixels, mode)))
        back.load()
        assert back.format == "PNG", name
        assert back.size == (pixels.shape[1], pixels.shape[0]), name
        assert back.mode == mode, name
        assert np.array_equal(np.asarray(back), pixels), name


def test_golden_bytes(images) -> None:
    synthetic = _synthetic()
    assert _digests(synthetic, list(range(len(synthetic)))) == GOLDEN, (
        "png bytes changed (libdeflate version, level or the PNG writer): datasets written "
        "before would no longer resume or replay byte-identically"
    )


def test_same_process_after_other_images_and_reversed(images, reference) -> None:
    for salt in range(3):
        for _name, pixels, mode in _others(salt):
            _encode(pixels, mode)
        order = list(range(len(images)))[:: -1 if salt % 2 == 0 else 1]
        assert _digests(images, order) == reference
    first = [_encode(p, m) for _, p, m in images]
    again = [_encode(p, m) for _, p, m in reversed(images)][::-1]
    assert first == again


_CHILD = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from tests.engine.test_png_determinism import _digests, _encode, _others
salt = int(sys.argv[3])
with np.load(sys.argv[2], allow_pickle=False) as f:
    names, modes = list(f["names"]), list(f["modes"])
    images = [(str(n), f[f"px{i}"], str(m)) for i, (n, m) in enumerate(zip(names, modes))]
for _, pixels, mode in _others(salt):
    _encode(pixels, mode)
order = list(np.random.default_rng(salt).permutation(len(images)))
print(json.dumps(_digests(images, [int(i) for i in order])))
"""


def test_fresh_interpreters(images, reference, tmp_path: Path) -> None:
    blob = tmp_path / "images.npz"
    np.savez(
        blob,
        names=np.array([n for n, _, _ in images]),
        modes=np.array([m for _, _, m in images]),
        **{f"px{i}": p for i, (_, p, _) in enumerate(images)},
    )
    for salt in range(3):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(ROOT), str(blob), str(salt)],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
        assert json.loads(out.stdout) == reference, f"fresh interpreter {salt}"


def _worker(args: tuple[int, list[tuple[str, np.ndarray, str]]]) -> dict[str, str]:
    salt, images = args
    for _, pixels, mode in _others(salt):
        _encode(pixels, mode)
    order = [int(i) for i in np.random.default_rng(salt).permutation(len(images))]
    return _digests(images, order)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)
def test_forked_workers_with_different_histories(images, reference) -> None:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.map(_worker, [(salt, images) for salt in (3, 4, 5, 6)], chunksize=1)
    for salt, got in zip((3, 4, 5, 6), results, strict=True):
        assert got == reference, f"worker with history {salt}"


def test_png_check_refuses_another_libdeflate(monkeypatch) -> None:
    assert encoders.deflate_matches_pin()
    resolve_encoders(None)  # the pinned build passes
    monkeypatch.setattr(encoders, "_PROBE_SHA256", "0" * 64)
    encoders.deflate_matches_pin.cache_clear()
    try:
        with pytest.raises(UserError, match=r"pip install 'deflate==") as err:
            resolve_encoders(["png"])
        assert "\n" not in str(err.value)
    finally:
        monkeypatch.undo()
        encoders.deflate_matches_pin.cache_clear()
