"""Crash, resume, torn shards, extending and shrinking: output bytes never change."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import synthgen
from synthgen.manifest import read_sidecars
from tests.engine import test_programs  # noqa: F401  (registers test_slow)
from tests.helpers import dataset_bytes, run_cli, run_cli_with_test_programs

SLOW = [
    "test_slow",
    "--n",
    "60",
    "--shard-size",
    "6",
    "--seed",
    "5",
    "--set",
    "delay=0.02",
    "--set",
    "reject_every=7",
]


def _reference(tmp_path: Path) -> dict[str, bytes]:
    ref = tmp_path / "reference"
    synthgen.make(
        "test_slow", n=60, out=ref, seed=5, workers=1, shard_size=6, delay=0.0, reject_every=7
    )
    return dataset_bytes(ref)


def _config_free_bytes(files: dict[str, bytes]) -> dict[str, bytes]:
    """Records of runs whose delay differs carry a different config hash; drop it."""
    out = {}
    for rel, data in files.items():
        if rel == "README.md" or rel.endswith("/metadata.parquet"):
            continue  # the card states the config hash; the metadata repeats the records
        if rel.endswith(".jsonl") and (rel.startswith("data/") or rel.endswith("metadata.jsonl")):
            lines = [json.loads(line) for line in data.splitlines()]
            for line in lines:
                line.pop("config_hash")
            data = json.dumps(lines).encode()
        out[rel] = data
    return out


def test_sigkill_whole_run_mid_shard_then_resume(out: Path, tmp_path: Path) -> None:
    proc = run_cli_with_test_programs("make", *SLOW, "--out", str(out), "--workers", "2")
    deadline = time.monotonic() + 900  # only a hung run; a loaded 2-core CI box starts slowly
    while time.monotonic() < deadline and len(read_sidecars(out)) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = set(read_sidecars(out))
    assert 3 <= len(finished) < 10, "the run must have been killed part-way"
    resumed = run_cli_with_test_programs(
        "make", *SLOW, "--out", str(out), "--workers", "2", "--log-format", "json"
    )
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    events = [json.loads(line) for line in stdout.splitlines()]
    assert events[0]["event"] == "start" and events[0]["resumed_shards"] == len(finished)
    ran = [e["shard"] for e in events if e["event"] == "shard"]
    # a count would depend on timing: which shard of the last wave lands first
    assert ran and not set(ran) & finished, "resume must skip finished shards"
    assert _config_free_bytes(dataset_bytes(out)) == _config_free_bytes(_reference(tmp_path))
    assert run_cli("validate", str(out)).returncode == 0


def test_sigkill_one_worker_is_retried(out: Path, tmp_path: Path) -> None:
    marker = tmp_path / "crashed"
    proc = run_cli_with_test_programs(
        "make",
        *SLOW,
        "--out",
        str(out),
        "--workers",
        "2",
        env={"SYNTHGEN_TEST_CRASH": f"20:{marker}"},
    )
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert marker.exists(), "the worker must really have been killed"
    assert _config_free_bytes(dataset_bytes(out)) == _config_free_bytes(_reference(tmp_path))


def _make(out: Path, n: int = 45, **kw: object):
    return synthgen.make(
        "squares", n=n, out=out, seed=2, workers=1, shard_size=10, min_area=0.2, **kw
    )


def _tear_and_check(out: Path, tear) -> None:
    _make(out)
    good = dataset_bytes(out)
    tear(out)
    result = run_cli("validate", str(out))
    assert result.returncode == 1, result.stdout
    assert "INVALID" in result.stdout
    _make(out)
    assert dataset_bytes(out) == good
    assert run_cli("validate", str(out)).returncode == 0


def test_truncated_jsonl_is_detected_and_redone(out: Path) -> None:
    def tear(root: Path) -> None:
        path = root / "data/shard-00001.jsonl"
        path.write_bytes(path.read_bytes()[:-40])

    _tear_and_check(out, tear)


def test_missing_media_file_is_detected_and_redone(out: Path) -> None:
    def tear(root: Path) -> None:
        folder = root / "media/shard-00002"  # metadata.parquet is derived, not media
        next(p for p in sorted(folder.iterdir()) if p.name != "metadata.parquet").unlink()

    _tear_and_check(out, tear)


def test_corrupted_media_bytes_are_detected_and_redone(out: Path) -> None:
    def tear(root: Path) -> None:
        path = sorted((root / "media/shard-00000").iterdir())[3]
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))

    _tear_and_check(out, tear)


def test_larger_n_extends_and_keeps_first_records(tmp_path: Path) -> None:
    small = tmp_path / "grow"
    _make(small, n=23)
    first = (small / "data/shard-00000.jsonl").read_bytes()
    _make(small, n=71)
    _make(tmp_path / "direct", n=71)
    assert (small / "data/shard-00000.jsonl").read_bytes() == first
    assert dataset_bytes(small) == dataset_bytes(tmp_path / "direct")


def test_smaller_n_shrinks_to_the_same_bytes_as_a_fresh_run(tmp_path: Path) -> None:
    _make(tmp_path / "shrink", n=71)
    _make(tmp_path / "shrink", n=23)
    _make(tmp_path / "direct", n=23)
    assert dataset_bytes(tmp_path / "shrink") == dataset_bytes(tmp_path / "direct")


def test_other_seed_on_existing_dir_is_a_user_error_unless_overwrite(out: Path) -> None:
    _make(out)
    before = dataset_bytes(out)
    result = run_cli(
        "make",
        "squares",
        "--n",
        "45",
        "--out",
        str(out),
        "--seed",
        "9",
        "--shard-size",
        "10",
        "--set",
        "min_area=0.2",
    )
    assert result.returncode == 2
    assert "--seed" in result.stderr and "--overwrite" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dataset_bytes(out) == before
    ok = run_cli(
        "make",
        "squares",
        "--n",
        "45",
        "--out",
        str(out),
        "--seed",
        "9",
        "--shard-size",
        "10",
        "--set",
        "min_area=0.2",
        "--overwrite",
    )
    assert ok.returncode == 0, ok.stderr
    assert dataset_bytes(out) != before
