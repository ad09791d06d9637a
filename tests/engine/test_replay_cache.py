"""Replay and the per-machine caches (issue #16): what a process keeps in
``$SYNTHGEN_CACHE_DIR`` never changes a byte of a dataset, and a damaged cache is rebuilt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from synthgen.cachedir import cache_path, cached_bytes, key_text, read_cached
from tests.helpers import dataset_bytes, run_cli


def test_cached_bytes_round_trip_and_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(tmp_path))
    calls: list[int] = []

    def build(value: bytes) -> bytes:
        calls.append(1)
        return value

    key = {"what": "test", "n": 1}
    assert cached_bytes("t", key, lambda: build(b"abc\ndef")) == b"abc\ndef"
    assert cached_bytes("t", key, lambda: build(b"other")) == b"abc\ndef"
    assert len(calls) == 1
    path = cache_path("t", key)
    assert path.parent == tmp_path / "t" and read_cached(path, key_text(key)) == b"abc\ndef"
    # the key is compared whole, not by file name: a file moved under another key's name
    other = {"what": "test", "n": 2}
    os.replace(path, cache_path("t", other))
    assert cached_bytes("t", other, lambda: build(b"two")) == b"two"
    assert cached_bytes("t", key, lambda: build(b"one")) == b"one"
    assert len(calls) == 3
    # an empty payload is a value like any other
    assert cached_bytes("t", {"empty": True}, lambda: b"") == b""
    assert cached_bytes("t", {"empty": True}, lambda: b"x") == b""
    assert not list((tmp_path / "t").glob(".tmp-*"))


def test_a_folder_that_cannot_be_written_costs_the_rebuild_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(blocker))
    assert cached_bytes("t", {"k": 1}, lambda: b"value") == b"value"
    assert cached_bytes("t", {"k": 1}, lambda: b"again") == b"again"


def test_a_deeply_nested_header_is_a_miss_and_files_are_readable_by_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged header that nests past the JSON parser's limit is rebuilt, not a crash; a
    written file is readable by other users sharing the folder; a temporary left by a killed
    writer (older than an hour) is removed on the next write, a fresh one is left alone."""
    import time

    from synthgen.cachedir import MAGIC

    monkeypatch.setenv("SYNTHGEN_CACHE_DIR", str(tmp_path))
    key = {"k": "nested"}
    path = cache_path("t", key)
    path.parent.mkdir(parents=True)
    path.write_bytes(MAGIC + b"[" * 100_000 + b"\n payload")
    assert cached_bytes("t", key, lambda: b"rebuilt") == b"rebuilt"
    assert path.stat().st_mode & 0o044 == 0o044
    stale, fresh = path.parent / ".tmp-old.bin", path.parent / ".tmp-new.bin"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    cached_bytes("t", {"k": "other"}, lambda: b"v")
    assert not stale.exists() and fresh.exists()


def test_the_cache_folder_without_a_home_is_a_private_temporary_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from synthgen import cachedir

    for name in ("SYNTHGEN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    folder = cachedir.cache_dir("t")
    assert str(os.getuid()) in str(folder) and folder.name == "t"


def test_audiocaps_replays_identically_with_cold_warm_and_damaged_caches(tmp_path: Path) -> None:
    """Two datasets made with an empty and with a filled cache are byte-equal; replays read
    the cache; every cache file damaged (one flipped byte near its end) is rebuilt and the
    replay is still identical."""
    cache = tmp_path / "cache"
    env = {"SYNTHGEN_CACHE_DIR": str(cache)}
    args = ["--n", "3", "--workers", "1", "--set", "events=[1, 3]"]
    for name in ("cold", "warm"):
        made = run_cli("make", "audiocaps", *args, "--out", str(tmp_path / name), env=env)
        assert made.returncode == 0, made.stderr
    assert dataset_bytes(tmp_path / "cold") == dataset_bytes(tmp_path / "warm")
    files = sorted(cache.glob("sound-*/*.bin"))
    assert {f.parent.name for f in files} == {"sound-noise", "sound-rates"}
    kept = {f: f.read_bytes() for f in files}
    ids = [
        json.loads(line)["id"]
        for line in (tmp_path / "cold/data/shard-00000.jsonl").read_text().splitlines()
    ]
    for rid in ids:
        replayed = run_cli("replay", str(tmp_path / "cold"), rid, env=env)
        assert replayed.returncode == 0 and "identical" in replayed.stdout, replayed.stderr
    for f, raw in kept.items():
        damaged = bytearray(raw)
        damaged[-3] ^= 0x01
        f.write_bytes(bytes(damaged))
    replayed = run_cli("replay", str(tmp_path / "cold"), ids[-1], env=env)
    assert replayed.returncode == 0 and "identical" in replayed.stdout, replayed.stderr
    assert {f: f.read_bytes() for f in files} == kept  # rebuilt whole
    assert not list(cache.glob("sound-*/.tmp-*"))


def test_replay_runs_with_shard_gc_thresholds_and_restores_the_callers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replay is mostly imports: it runs (imports included) with the shard's collector
    thresholds, and gives the caller's back, also when it fails."""
    import gc

    from synthgen import replay as replay_module
    from synthgen.errors import UserError
    from synthgen.gc_tuning import SHARD_GC_THRESHOLD
    from synthgen.validate import load_dataset

    made = run_cli("make", "squares", "--n", "2", "--out", str(tmp_path / "sq"))
    assert made.returncode == 0, made.stderr
    rid = json.loads((tmp_path / "sq/data/shard-00000.jsonl").read_text().splitlines()[0])["id"]
    seen: list[tuple[int, int, int]] = []

    def spy(root: Path) -> object:
        seen.append(gc.get_threshold())
        return load_dataset(root)

    monkeypatch.setattr("synthgen.validate.load_dataset", spy)
    before = gc.get_threshold()
    try:
        gc.set_threshold(555, 9, 9)
        assert replay_module.replay(tmp_path / "sq", rid).identical
        assert seen == [SHARD_GC_THRESHOLD]
        assert gc.get_threshold() == (555, 9, 9)
        with pytest.raises(UserError):
            replay_module.replay(tmp_path / "sq", "sq-0-9999999999")
        assert gc.get_threshold() == (555, 9, 9)
    finally:
        gc.set_threshold(*before)
