"""The sound world's disk caches (issue #16): the noise tables, the presence-rate weights and
the parsed phrasebook read back from ``$SYNTHGEN_CACHE_DIR`` are exactly what the process
would compute, a file
that is corrupt or holds another key is rebuilt, and every input of a cached value is in its
key (a value computed for other inputs is never handed out)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from synthgen.cachedir import cache_dir, cache_path, key_text, read_cached
from synthgen.generators.audiocaps import phrases
from synthgen.world.sound import noise, scene
from synthgen.world.sound.scene import SoundSceneConfig
from synthgen.world.sound.synth import get_synth

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RATE = 8000  # small tables (2**17 samples), quick to build


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(tmp_path / "cache"))
    noise.noise_bank.cache_clear()
    scene._presence_rates.cache_clear()
    yield
    noise.noise_bank.cache_clear()
    scene._presence_rates.cache_clear()


def _same(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> bool:
    return list(a) == list(b) and all(a[k].tobytes() == b[k].tobytes() for k in a)


def _path(rate: int, name: str) -> Path:
    return cache_path(noise.CACHE_NAME, noise.tables_key(rate, name))


def test_cached_noise_tables_are_the_built_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = noise.build_tables(RATE)
    first = noise.cached_tables(RATE)
    assert first["pink"].tobytes() == fresh["pink"].tobytes()  # a miss: all built and written
    assert all(_path(RATE, name).is_file() for name in noise.SHAPES)
    monkeypatch.setattr(noise, "build_tables", lambda sr: pytest.fail("rebuilt, not read"))
    again = noise.cached_tables(RATE)
    assert _same(first, fresh) and _same(again, fresh)
    assert all(t.dtype == np.float32 and t.size == noise.table_length(RATE) for t in again.values())
    bank = noise.noise_bank(RATE)  # what the renderer uses
    assert _same(bank.tables, fresh)
    with pytest.raises(KeyError):
        again["no such colour"]


def test_only_the_tables_used_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    noise.cached_tables(RATE)["white"]  # fill the cache
    read: list[str] = []
    real = noise.read_cached

    def spy(path: Path, text: str) -> bytes | None:
        read.append(path.name)
        return real(path, text)

    monkeypatch.setattr(noise, "read_cached", spy)
    tables = noise.cached_tables(RATE)
    tables["brown"], tables["hiss"], tables["brown"]
    assert read == [_path(RATE, "brown").name, _path(RATE, "hiss").name]


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty", "other key"])
def test_a_damaged_or_foreign_table_file_is_rebuilt(damage: str) -> None:
    fresh = noise.build_tables(RATE)
    noise.cached_tables(RATE)["white"]
    path = _path(RATE, "pink")
    raw = bytearray(path.read_bytes())
    if damage == "flip":
        raw[-12345] ^= 0x10  # one bit of one sample
        path.write_bytes(bytes(raw))
    elif damage == "truncate":
        path.write_bytes(bytes(raw[: len(raw) // 2]))
    elif damage == "garbage":
        path.write_bytes(b"not a cache file\n" + bytes(raw[100:]))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other key":  # a valid file of another table under this one's name
        shutil.copy(_path(RATE, "brown"), path)
    assert _same(noise.cached_tables(RATE), fresh)
    # ... and the file was rewritten whole
    assert read_cached(path, key_text(noise.tables_key(RATE, "pink"))) == fresh["pink"].tobytes()


def test_the_table_key_names_table_source_rate_and_numpy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An edited noise.py (shapes, seed), another table, rate or numpy is another file."""
    base = noise.tables_key(RATE, "pink")
    assert noise.tables_key(RATE * 2, "pink") != base
    assert noise.tables_key(RATE, "brown") != base
    edited = tmp_path / "noise.py"
    edited.write_text(Path(noise.__file__).read_text().replace("0x50D5", "0x50D6"))
    monkeypatch.setattr(noise, "__file__", str(edited))
    assert noise.tables_key(RATE, "pink") != base
    monkeypatch.undo()
    monkeypatch.setattr(noise, "numpy_key", lambda: {"numpy": "0.0", "cpu": []})
    assert noise.tables_key(RATE, "pink") != base


CFG = SoundSceneConfig(
    sample_rate=16000,
    classes=("speech", "dog", "bell", "rain", "violin", "cello", "car_horn", "clock"),
    events=(1, 3),
)


def _uncached(cfg: SoundSceneConfig, rounds: int = 8) -> dict[str, float]:
    prior = np.stack([scene.weights(s, cfg.classes) for s in cfg.scenes])
    available = [get_synth(c).available() for c in cfg.classes]
    family = [get_synth(c).family for c in cfg.classes]
    w = scene._fit_rates(prior, available, family, cfg.events, rounds)
    return {c: float(w[i]) for i, c in enumerate(cfg.classes)}


def test_cached_presence_rates_are_the_fitted_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    first = scene.presence_rates(CFG)
    assert first == _uncached(CFG)
    scene._presence_rates.cache_clear()
    monkeypatch.setattr(scene, "_fit_rates", lambda *a: pytest.fail("refitted, not read"))
    assert scene.presence_rates(CFG) == first


def test_presence_rates_are_keyed_by_what_they_depend_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether speech can be synthesised (espeak-ng installed) changes the weights; so do
    the events range, the scenes and the rounds. Each gets its own value, equal to a fit
    without the cache, whatever was cached before."""
    speech = get_synth("speech")
    with_speech = type(speech).available
    for available in (False, True, False):
        monkeypatch.setattr(type(speech), "available", lambda self, a=available: a)
        scene._presence_rates.cache_clear()
        got = scene.presence_rates(CFG)
        assert got == _uncached(CFG), available
    monkeypatch.setattr(type(speech), "available", with_speech)
    variants = [
        CFG.model_copy(update={"events": (1, 5)}),
        CFG.model_copy(update={"scenes": ("street", "park")}),
    ]
    seen = [scene.presence_rates(CFG)]
    for cfg in variants:
        scene._presence_rates.cache_clear()
        got = scene.presence_rates(cfg)
        assert got == _uncached(cfg)
        seen.append(got)
    scene._presence_rates.cache_clear()
    assert scene.presence_rates(CFG, rounds=3) == _uncached(CFG, rounds=3)
    assert len({tuple(s.values()) for s in seen}) == len(seen)


def test_a_corrupt_presence_rate_file_is_refitted() -> None:
    expected = scene.presence_rates(CFG)
    files = list(cache_dir(scene.RATES_CACHE).glob("*.bin"))
    assert len(files) == 1
    raw = files[0].read_bytes()
    damaged = bytearray(raw)
    last = raw.rindex(b"]") - 1  # the last digit of the last weight: a plausible payload
    damaged[last] = ord("1") if raw[last] != ord("1") else ord("2")
    files[0].write_bytes(bytes(damaged))
    scene._presence_rates.cache_clear()
    assert scene.presence_rates(CFG) == expected
    assert files[0].read_bytes() == raw


def _typed(value: object) -> object:
    """``value`` with every leaf's type beside it (1 == 1.0 == True would hide a change)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("name", [phrases.PROMPT_NAME, phrases.CLASSES_NAME])
def test_the_phrasebook_toml_read_from_the_cache_is_the_parsed_one(name: str) -> None:
    text = (Path(phrases.__file__).parent.parent.parent / "prompts" / f"{name}.toml").read_text()
    expected = _typed(tomllib.loads(text))
    assert _typed(phrases.parsed_toml(text)) == expected  # a miss: parsed and written
    assert _typed(phrases.parsed_toml(text)) == expected  # a hit
    files = list(cache_dir(phrases.TOML_CACHE).glob("*.bin"))
    assert len(files) == 1
    edited = text + "\n# an edit\n"  # another text is another entry
    assert _typed(phrases.parsed_toml(edited)) == expected
    assert len(list(cache_dir(phrases.TOML_CACHE).glob("*.bin"))) == 2
    raw = files[0].read_bytes()
    files[0].write_bytes(raw[:-40] + b"0" * 40)  # damaged: reparsed and rewritten
    assert _typed(phrases.parsed_toml(text)) == expected
    assert files[0].read_bytes() == raw


def test_a_toml_date_is_parsed_every_time() -> None:
    text = 'when = 1979-05-27T07:32:00Z\nname = "x"\n'
    assert phrases.parsed_toml(text) == tomllib.loads(text)
