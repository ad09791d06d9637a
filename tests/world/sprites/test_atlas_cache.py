"""The decoded-sheet cache of the sprite atlas: a process that maps the kept pixels sees exactly
the pixels of the PNG sheets, and a damaged or stale kept file is never used."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from synthgen.world.sprites import atlas as atlas_mod


def _fresh(monkeypatch: pytest.MonkeyPatch, cache) -> atlas_mod.Atlas:
    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(cache))
    atlas_mod.load_atlas.cache_clear()
    try:
        return atlas_mod.load_atlas()
    finally:
        atlas_mod.load_atlas.cache_clear()


def _expected() -> list[np.ndarray]:
    """Every sprite cut from its sheet with PIL alone (not through the atlas loader)."""
    meta = json.loads((atlas_mod.DATA_DIR / "atlas.json").read_text(encoding="utf-8"))
    sheets = []
    for name in meta["sheets"]:
        with Image.open(atlas_mod.DATA_DIR / name) as im:
            sheets.append(im.convert("RGBA"))
    out = []
    for s in meta["sprites"]:
        x, y, w, h = s["rect"]
        out.append(np.asarray(sheets[s["sheet"]].crop((x, y, x + w, y + h))))
    return out


def test_kept_sheets_give_the_png_pixels(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    expected = _expected()
    first = _fresh(monkeypatch, tmp_path)  # decodes and keeps
    meta = json.loads((atlas_mod.DATA_DIR / "atlas.json").read_text(encoding="utf-8"))
    assert len(list((tmp_path / "atlas").glob("*.npy"))) == len(set(meta["sheets"]))

    def no_decoding(png: bytes) -> np.ndarray:
        raise AssertionError("a kept sheet was decoded again")

    monkeypatch.setattr(atlas_mod, "_decode", no_decoding)
    second = _fresh(monkeypatch, tmp_path)  # maps the kept files
    for got in (first, second):
        assert len(got.all_sprites) == len(expected)
        for s, want in zip(got.all_sprites, expected, strict=True):
            assert not s.rgba.flags.writeable
            np.testing.assert_array_equal(s.rgba, want)


def test_damaged_kept_file_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    _fresh(monkeypatch, tmp_path)
    kept = sorted((tmp_path / "atlas").glob("*.npy"))
    kept[0].write_bytes(kept[0].read_bytes()[:1000])  # torn
    header = kept[1].read_bytes()[:128]
    arr = np.zeros((3, 3, 4), np.uint8)  # a valid .npy of the wrong shape
    np.save(kept[1], arr)
    assert kept[1].read_bytes()[:128] != header
    expected = _expected()
    got = _fresh(monkeypatch, tmp_path)
    for s, want in zip(got.all_sprites, expected, strict=True):
        np.testing.assert_array_equal(s.rgba, want)
