"""Stopping, dying parents, the start-up window, disk full and a lost manifest (issue #13).

Every scenario ends the same way: the same command, rerun, completes and writes the bytes of
an uninterrupted run; nothing is left behind (temporary files, processes, the lock).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import time
from pathlib import Path

import pytest

import synthgen
from synthgen.cli import main
from synthgen.manifest import read_sidecars
from synthgen.sinks import JsonlWriter
from tests.engine import test_programs  # noqa: F401  (registers test_slow)
from tests.helpers import dataset_bytes, run_cli, run_cli_with_test_programs

STOPPED = "stopped; rerun the same command to resume"
SLOW_ARGS = ["--n", "60", "--shard-size", "6", "--seed", "5", "--set", "reject_every=7"]


def _slow_cmd(out: Path, delay: float = 0.05) -> list[str]:
    return ["make", "test_slow", *SLOW_ARGS, "--set", f"delay={delay}", "--out", str(out)]


def _reference(tmp_path: Path, delay: float = 0.05) -> dict[str, bytes]:
    ref = tmp_path / "reference"
    synthgen.make(
        "test_slow", n=60, out=ref, seed=5, workers=1, shard_size=6, delay=delay, reject_every=7
    )
    return dataset_bytes(ref)


def _wait_for_shards(out: Path, count: int, timeout: float = 900) -> None:
    """Wait for ``count`` finished shards; the generous deadline only catches a hung run
    (a CLI start with two workers took over 120 s on a 2-core machine at load 10)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(read_sidecars(out)) < count:
        time.sleep(0.05)
    assert len(read_sidecars(out)) >= count, "the run made no progress"


def _group_gone(pgid: int, timeout: float = 300) -> bool:
    """True once no process of the group is left (workers included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _temporaries(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if ".tmp-" in p.name]


def _rerun_matches(out: Path, reference: dict[str, bytes]) -> None:
    proc = run_cli_with_test_programs(*_slow_cmd(out), "--workers", "2")
    _, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stderr
    assert dataset_bytes(out) == reference
    assert run_cli("validate", str(out)).returncode == 0


@pytest.mark.parametrize(
    ("signum", "target", "code"),
    [
        (signal.SIGTERM, "parent", 143),
        (signal.SIGTERM, "group", 143),
        (signal.SIGINT, "group", 130),  # what Ctrl-C does
    ],
)
def test_signal_stops_cleanly_and_the_rerun_resumes(
    out: Path, tmp_path: Path, signum: int, target: str, code: int
) -> None:
    reference = _reference(tmp_path)
    proc = run_cli_with_test_programs(*_slow_cmd(out), "--workers", "2")
    _wait_for_shards(out, 2)
    if target == "parent":
        os.kill(proc.pid, signum)
    else:
        os.killpg(proc.pid, signum)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == f"synthgen: {STOPPED}"
    assert _group_gone(proc.pid), "a worker outlived the stopped run"
    assert _temporaries(out) == []
    assert len(read_sidecars(out)) < 10, "the run must have been stopped part-way"
    _rerun_matches(out, reference)


def test_sigkill_of_the_parent_alone_ends_the_workers_and_frees_the_lock(
    out: Path, tmp_path: Path
) -> None:
    reference = _reference(tmp_path)
    proc = run_cli_with_test_programs(*_slow_cmd(out), "--workers", "2")
    _wait_for_shards(out, 2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=300)
    assert _group_gone(proc.pid), "orphaned workers are still alive"
    _rerun_matches(out, reference)  # not refused as "in use by another synthgen run"


def test_a_run_killed_right_after_creating_its_folders_is_resumable(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ~30 ms between creating data/ and writing the first manifest."""
    import synthgen.engine as engine

    reference = _reference(tmp_path)

    def die(*args: object) -> None:
        raise SystemExit("killed")  # nothing of ours runs after it, like a SIGKILL

    monkeypatch.setattr(engine, "remove_stale_temporaries", die)
    with pytest.raises(SystemExit):
        synthgen.make(
            "test_slow", n=60, out=out, seed=5, shard_size=6, delay=0.05, reject_every=7
        )
    monkeypatch.undo()
    assert (out / "data").is_dir() and not (out / "manifest.json").exists()
    _rerun_matches(out, reference)


@pytest.mark.parametrize("damage", ["delete", "truncate", "garbage"])
def test_a_lost_manifest_is_reported_by_validate_and_rebuilt_by_make(
    out: Path, tmp_path: Path, damage: str
) -> None:
    reference = _reference(tmp_path)
    synthgen.make("test_slow", n=60, out=out, seed=5, shard_size=6, delay=0.05, reject_every=7)
    good = json.loads((out / "manifest.json").read_text())
    manifest = out / "manifest.json"
    if damage == "delete":
        manifest.unlink()
    elif damage == "truncate":
        manifest.write_bytes(manifest.read_bytes()[:100])
    else:
        manifest.write_bytes(b"\x00\xff not json")
    checked = run_cli("validate", str(out))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "manifest.json" in checked.stdout
    _rerun_matches(out, reference)
    repaired = json.loads((out / "manifest.json").read_text())
    assert repaired["totals"] == good["totals"]
    assert repaired["complete"] is True


def test_validate_of_a_folder_that_is_no_dataset_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    result = run_cli("validate", str(tmp_path / "x"))
    assert result.returncode == 2
    assert "not a synthgen dataset" in result.stderr


def _fail_writes_after(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    """Make the count+1-th record write of every process hit ENOSPC (forked workers
    inherit the patch), as a full disk would."""
    original = JsonlWriter.add
    seen = {"n": 0}

    def add(self: JsonlWriter, outcome: object) -> None:
        seen["n"] += 1
        if seen["n"] > count:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, outcome)  # type: ignore[arg-type]

    monkeypatch.setattr(JsonlWriter, "add", add)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_disk_full_is_one_line_removes_temporaries_and_resumes(
    out: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    workers: str,
) -> None:
    args = ["make", "squares", "--n", "80", "--shard-size", "20", "--seed", "3"]
    ref = tmp_path / "reference"
    synthgen.make("squares", n=80, out=ref, seed=3, shard_size=20, workers=1)
    capsys.readouterr()
    _fail_writes_after(monkeypatch, 30)
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--out", str(out), "--workers", workers, "--no-progress"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 3
    assert len(err.strip().splitlines()) == 1, err
    assert "disk full" in err and str(out) in err and "free" in err
    assert "Traceback" not in err
    assert _temporaries(out) == []
    monkeypatch.undo()
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--out", str(out), "--workers", workers, "--no-progress"])
    assert exit_info.value.code == 0
    assert dataset_bytes(out) == dataset_bytes(ref)
    assert run_cli("validate", str(out)).returncode == 0


def test_huge_n_is_refused_before_anything_is_written(out: Path) -> None:
    result = run_cli("make", "squares", "--n", "1e30", "--out", str(out))
    assert result.returncode == 2
    assert "--n" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("line", ["n = true", "n = 10\nseed = true", "n = 10\nworkers = 1.5"])
def test_job_file_values_of_the_wrong_type_are_refused(tmp_path: Path, line: str) -> None:
    job = tmp_path / "job.toml"
    job.write_text(f'recipe = "squares"\nout = "ds"\n{line}\n')
    result = run_cli("run", str(job))
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(job) in result.stderr
    assert not (tmp_path / "ds").exists()


def test_a_resume_with_nothing_to_do_says_so(out: Path) -> None:
    args = ("make", "squares", "--n", "20", "--out", str(out), "--workers", "1")
    first = run_cli(*args)
    assert first.returncode == 0 and first.stdout.startswith("wrote 20 records")
    again = run_cli(*args)
    assert again.returncode == 0
    assert again.stdout.startswith("already complete: 20 records"), again.stdout


def test_progress_counts_records_before_their_shard_ends(out: Path) -> None:
    """The live count moves while shards run, not only when one finishes."""
    seen: list[tuple[int, int]] = []
    state: dict[str, object] = {}

    def progress(event: str, info: dict) -> None:
        if event == "start":
            state["count"] = info["accepted_so_far"]
        elif event == "shard":
            state["finished"] = int(state.get("finished", 0)) + info["entry"].accepted

    import threading

    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.05):
            count = state.get("count")
            if callable(count):
                seen.append((count(), int(state.get("finished", 0))))

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        synthgen.make(
            "test_slow", n=40, out=out, workers=2, shard_size=20, delay=0.05, progress=progress
        )
    finally:
        stop.set()
        poller.join()
    assert any(live > finished for live, finished in seen), seen[:20]
    assert all(live <= 40 + 20 for live, _ in seen)


def test_a_dataset_of_an_older_record_schema_is_refused_in_plain_words(out: Path) -> None:
    args = ("make", "squares", "--n", "10", "--out", str(out), "--workers", "1")
    assert run_cli(*args).returncode == 0
    marker = out / ".synthgen" / "job.json"
    job = json.loads(marker.read_text())
    job["schema_version"] -= 1
    marker.write_text(json.dumps(job))
    again = run_cli(*args)
    assert again.returncode == 2
    assert "schema version" in again.stderr and "--schema_version" not in again.stderr
