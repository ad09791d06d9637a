"""Crash trials: interrupt `synthgen make` at random moments, resume it, compare the bytes.

Each trial starts ``synthgen make PROGRAM ...`` in its own process group, delivers a signal
after a random delay (some within the first 50 ms, the rest spread over the run's whole
expected duration, measured by an uninterrupted reference run made once at the start and
updated from the reruns that had to redo the whole job) to the whole group or to the parent
alone, waits for everything to exit (a run that does not exit is a hang: it is killed and
reported), then reruns the same command to completion and checks:

- the interrupted run's exit code and stderr (SIGTERM: 143, SIGINT: 130, both with a line
  containing "stopped; rerun the same command to resume"; SIGKILL: -9);
- no process of the interrupted run's group is still alive (orphaned pool workers);
- the rerun exits 0 (if it is refused, its message is reported);
- the dataset's byte tree equals the reference (every file's path and sha256; the JSON
  under ``.synthgen/`` and ``manifest.json`` compared with timings and DIR's absolute path
  (``job.out``) stripped; ``.synthgen/lock`` ignored);
- no temporary files (names containing ``.tmp-``) are left;
- ``synthgen validate DIR`` exits 0.

Usage::

    python bench/crash_trials.py [--trials 20] [--kinds kill-group,term-parent,...]
        [--n 300] [--shard-size 100] [--workers 2] [--program svg] [--seed 0]
        [--keep] [--tmp DIR]

Prints one line per kind and the details of each failed trial; exits 0 when every trial of
every kind was identical and clean, 1 otherwise. Stdlib plus psutil.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

KINDS: dict[str, tuple[signal.Signals, bool]] = {
    "kill-group": (signal.SIGKILL, True),
    "kill-parent": (signal.SIGKILL, False),
    "term-group": (signal.SIGTERM, True),
    "term-parent": (signal.SIGTERM, False),
    "int-group": (signal.SIGINT, True),
    "int-parent": (signal.SIGINT, False),
}
"""Trial kind -> (signal, sent to the whole process group?)."""

STOP_LINE = "stopped; rerun the same command to resume"
"""What a run stopped by SIGTERM or SIGINT must print on stderr."""

EXPECTED_EXIT = {signal.SIGKILL: -9, signal.SIGTERM: 143, signal.SIGINT: 130}

TMP_MARK = ".tmp-"
IGNORED = {".synthgen/lock"}
TIMING_KEYS = {"timings", "timing", "seconds", "duration", "durations", "elapsed", "wall"}
"""JSON keys whose values are measured, not made: stripped before comparing."""

EARLY_S = 0.05


def _is_timing_key(key: str) -> bool:
    k = key.lower()
    return k in TIMING_KEYS or k.endswith(("_s", "_seconds", "_at", "_time"))


def _strip_run_fields(value: Any, root: str) -> Any:
    """``value`` without timing fields and without fields holding DIR's absolute path."""
    if isinstance(value, dict):
        return {
            k: _strip_run_fields(v, root)
            for k, v in value.items()
            if not _is_timing_key(k) and v != root
        }
    if isinstance(value, list):
        return [_strip_run_fields(v, root) for v in value]
    return value


def _is_state_json(rel: str) -> bool:
    return rel == "manifest.json" or (rel.startswith(".synthgen/") and rel.endswith(".json"))


def _digest(root: Path, rel: str) -> str:
    data = (root / rel).read_bytes()
    if _is_state_json(rel):
        try:
            obj = _strip_run_fields(json.loads(data), str(root.resolve()))
        except ValueError:
            return "unparsable-json:" + hashlib.sha256(data).hexdigest()
        data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def byte_tree(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root`` (JSON state without timings)."""
    tree: dict[str, str] = {}
    if not root.is_dir():
        return tree
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            rel = Path(dirpath, name).relative_to(root).as_posix()
            if rel in IGNORED:
                continue
            try:
                tree[rel] = _digest(root, rel)
            except OSError as exc:  # vanished under us (a stray writer)
                tree[rel] = f"unreadable:{exc.strerror}"
    return tree


def compare_trees(ref: dict[str, str], got: dict[str, str]) -> list[str]:
    """Human-readable differences, [] when identical."""
    missing = sorted(set(ref) - set(got))
    extra = sorted(set(got) - set(ref))
    differ = sorted(k for k in set(ref) & set(got) if ref[k] != got[k])
    out = []
    for label, paths in (("missing", missing), ("extra", extra), ("differ", differ)):
        if paths:
            more = f", ... ({len(paths)} in all)" if len(paths) > 4 else ""
            shown = ", ".join(paths[:4]) + more
            out.append(f"{len(paths)} {label} ({shown})")
    return out


def tmp_files(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            if TMP_MARK in name:
                found.append(Path(dirpath, name).relative_to(root).as_posix())
    return sorted(found)


def group_members(pgid: int) -> list[tuple[int, str]]:
    """Live (non-zombie) processes of process group ``pgid``: (pid, what it is)."""
    found = []
    for proc in psutil.process_iter(["pid", "ppid", "status", "cmdline"]):
        try:
            if os.getpgid(proc.pid) != pgid or proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
        except (ProcessLookupError, PermissionError):
            continue
        argv = [Path(a).name if i == 0 else a for i, a in enumerate(proc.info["cmdline"] or [])]
        what = " ".join(argv[:5])
        found.append((proc.pid, f"{what} ..., ppid {proc.info['ppid']}, {proc.info['status']}"))
    return found


def wait_group_empty(pgid: int, grace: float) -> list[tuple[int, str]]:
    """Wait up to ``grace`` seconds for group ``pgid`` to empty; what is left."""
    deadline = time.monotonic() + grace
    while True:
        left = group_members(pgid)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return lines[-1][:300] if lines else ""


@dataclass
class Config:
    program: str = "svg"
    n: int = 300
    shard_size: int = 100
    workers: int = 2
    seed: int = 0
    grace: float = 5.0
    """Seconds the interrupted run's group gets to empty once the parent has exited."""
    hang_timeout: float | None = None
    """Seconds the interrupted parent gets to exit after the signal [max(30, 4 x reference)]."""

    def make_cmd(self, out: Path) -> list[str]:
        return [
            sys.executable, "-m", "synthgen", "make", self.program,
            "--n", str(self.n), "--out", str(out), "--seed", str(self.seed),
            "--workers", str(self.workers), "--shard-size", str(self.shard_size),
            "--no-progress",
        ]  # fmt: skip

    def validate_cmd(self, out: Path) -> list[str]:
        return [sys.executable, "-m", "synthgen", "validate", str(out)]


@dataclass
class Run:
    rc: int | None
    seconds: float
    stderr: str
    timed_out: bool = False
    strays: list[tuple[int, str]] = field(default_factory=list)


def run_to_end(cmd: list[str], log: Path, timeout: float) -> Run:
    """Run ``cmd`` in its own group to completion (killed after ``timeout``); its stdout and
    stderr go to ``log``."""
    t0 = time.monotonic()
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc.pid)
            proc.wait()
    seconds = time.monotonic() - t0
    strays = wait_group_empty(proc.pid, 2.0)
    kill_group(proc.pid)
    return Run(proc.returncode, seconds, log.read_text(errors="replace"), timed_out, strays)


@dataclass
class Trial:
    kind: str
    number: int
    delay: float
    sent_at: float = 0.0
    finished_before_signal: bool = False
    rc: int | None = None
    stderr_last: str = ""
    dir_existed: bool = True
    """Whether DIR existed when the interrupted run ended (False: it wrote nothing)."""
    traceback_at: str = ""
    """Innermost frame of a KeyboardInterrupt traceback the interrupted run printed."""
    stop_line: bool = False
    interpreter_startup: bool = False
    """Signalled before synthgen's code ran: the default action, nothing written."""
    exit_ok: bool = False
    hang: bool = False
    hang_members: list[tuple[int, str]] = field(default_factory=list)
    strays: list[tuple[int, str]] = field(default_factory=list)
    rerun_rc: int | None = None
    rerun_seconds: float = 0.0
    rerun_message: str = ""
    rerun_timed_out: bool = False
    rerun_strays: list[tuple[int, str]] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    tmp: list[str] = field(default_factory=list)
    validate_rc: int | None = None
    validate_message: str = ""
    kept: str = ""

    @property
    def identical(self) -> bool:
        return not self.diff

    @property
    def rerun_ok(self) -> bool:
        return self.rerun_rc == 0 and not self.rerun_timed_out

    @property
    def ok(self) -> bool:
        return (
            self.identical
            and self.rerun_ok
            and self.exit_ok
            and not self.hang
            and not self.strays
            and not self.rerun_strays
            and not self.tmp
            and self.validate_rc == 0
        )

    def describe(self) -> str:
        sig, _ = KINDS[self.kind]
        parts = [f"{self.kind} #{self.number} (signal at {self.sent_at:.3f} s)"]
        if self.hang:
            members = "; ".join(f"pid {pid}: {cmd}" for pid, cmd in self.hang_members[:4])
            parts.append(f"HANG: the run did not exit after the signal, killed ({members})")
        if not self.exit_ok and not self.hang:
            want = 0 if self.finished_before_signal else EXPECTED_EXIT[sig]
            what = f"interrupted run exited {self.rc} (expected {want})"
            if sig != signal.SIGKILL and not self.stop_line:
                what += f", no {STOP_LINE!r} line (last stderr line: {self.stderr_last!r})"
            if self.traceback_at:
                what += f"; KeyboardInterrupt traceback at {self.traceback_at}"
            if not self.dir_existed:
                what += "; it wrote nothing (DIR not created): the signal came during start-up"
            parts.append(what)
        if self.strays:
            listed = "; ".join(f"pid {pid}: {cmd}" for pid, cmd in self.strays[:4])
            parts.append(f"{len(self.strays)} stray processes alive after the run ({listed})")
        if not self.rerun_ok:
            how = "timed out" if self.rerun_timed_out else f"exited {self.rerun_rc}"
            parts.append(f"rerun {how} in {self.rerun_seconds:.1f} s: {self.rerun_message!r}")
        if self.rerun_strays:
            parts.append(f"{len(self.rerun_strays)} stray processes after the rerun")
        if self.diff:
            parts.append("tree differs from the reference: " + "; ".join(self.diff))
        if self.tmp:
            parts.append(f"{len(self.tmp)} tmp files ({', '.join(self.tmp[:3])})")
        if self.validate_rc != 0:
            parts.append(f"validate exited {self.validate_rc}: {self.validate_message!r}")
        if self.kept:
            parts.append(f"kept in {self.kept}")
        return "\n    ".join(parts)


def delay_plan(trials: int, rng: random.Random) -> list[tuple[float, float]]:
    """(seconds, fraction of the run) per trial; the delay is ``seconds + fraction x the
    expected wall time``. One in ten trials (at least one) lands within the first 50 ms, the
    rest are stratified over the run (up to 95% of it, as the runs' times vary)."""
    early = min(trials, max(1, trials // 10))
    plan = [(rng.uniform(0.0, EARLY_S), 0.0) for _ in range(early)]
    rest = trials - early
    plan += [(EARLY_S, 0.95 * (i + rng.random()) / rest) for i in range(rest)]
    return plan


def run_trial(
    cfg: Config, kind: str, number: int, delay: float, ref: dict[str, str], where: Path,
    hang_timeout: float, rerun_timeout: float,
) -> Trial:  # fmt: skip
    sig, to_group = KINDS[kind]
    trial = Trial(kind, number, delay)
    out = where / "ds"
    cmd = cfg.make_cmd(out)
    err_log = where / "interrupted.stderr"
    out_log = where / "interrupted.stdout"
    with open(err_log, "wb") as err, open(out_log, "wb") as stdout:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=err, start_new_session=True)
        pgid = proc.pid
        time.sleep(max(0.0, t0 + delay - time.monotonic()))
        trial.sent_at = time.monotonic() - t0
        if proc.poll() is not None:
            trial.finished_before_signal = True
        else:
            try:
                if to_group:
                    os.killpg(pgid, sig)
                else:
                    os.kill(proc.pid, sig)
            except ProcessLookupError:
                trial.finished_before_signal = True
        try:
            proc.wait(timeout=hang_timeout)
        except subprocess.TimeoutExpired:
            trial.hang = True
            trial.hang_members = group_members(pgid)
            kill_group(pgid)
            proc.wait()
    trial.rc = proc.returncode
    if trial.rc == 0 and out_log.read_text(errors="replace").startswith("wrote "):
        # The command had finished when the signal came (synthgen ignores signals once a
        # command is over): a complete dataset and exit 0 are the expected outcome.
        trial.finished_before_signal = True
    trial.dir_existed = out.exists()
    stderr = err_log.read_text(errors="replace")
    frames = [ln.strip() for ln in stderr.splitlines() if ln.strip().startswith("File ")]
    ours = [f for f in frames if not f.startswith('File "<frozen')] or frames
    if ours and "KeyboardInterrupt" in stderr:
        trial.traceback_at = ours[-1][:200]  # innermost frame outside the import machinery
    trial.stderr_last = _last_line(err_log)
    trial.stop_line = STOP_LINE in stderr
    if trial.finished_before_signal:
        trial.exit_ok = trial.rc == 0
    elif sig == signal.SIGKILL:
        trial.exit_ok = trial.rc == EXPECTED_EXIT[sig]
    else:
        trial.exit_ok = trial.rc == EXPECTED_EXIT[sig] and trial.stop_line
        # Before synthgen's entry point runs (the interpreter's own start-up, ~10-20 ms) the
        # default action applies: SIGTERM kills silently, SIGINT is Python's own
        # KeyboardInterrupt. Nothing can be written that early; such a trial counts as
        # expected but is tallied apart.
        default_action = trial.rc == -sig or (
            sig == signal.SIGINT and trial.rc == 1 and bool(trial.traceback_at)
        )
        if not trial.exit_ok and not trial.dir_existed and default_action:
            trial.exit_ok = trial.interpreter_startup = True
    if not trial.hang:
        trial.strays = wait_group_empty(pgid, cfg.grace)

    # Rerun with any strays still alive: that is what a user who reruns would meet.
    rerun = run_to_end(cmd, where / "rerun.stderr", rerun_timeout)
    kill_group(pgid)  # now the interrupted run's strays go
    trial.rerun_rc, trial.rerun_seconds = rerun.rc, rerun.seconds
    trial.rerun_timed_out, trial.rerun_strays = rerun.timed_out, rerun.strays
    trial.rerun_message = _last_line(where / "rerun.stderr")
    wait_group_empty(pgid, 2.0)

    trial.diff = compare_trees(ref, byte_tree(out))
    trial.tmp = tmp_files(out)
    check = run_to_end(cfg.validate_cmd(out), where / "validate.stderr", rerun_timeout)
    trial.validate_rc = check.rc
    if check.rc != 0:
        trial.validate_message = _last_line(where / "validate.stderr")
    return trial


@dataclass
class Report:
    trials: dict[str, list[Trial]]
    reference_seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and all(t.ok for ts in self.trials.values() for t in ts)

    def summary(self, kind: str) -> str:
        ts = self.trials[kind]
        n = len(ts)
        in_startup = sum(not t.exit_ok and not t.hang and not t.dir_existed for t in ts)
        startup = f" ({in_startup} missed in start-up)" if in_startup else ""
        early = sum(t.interpreter_startup for t in ts)
        if early:
            startup += f" ({early} in interpreter start-up: default action, nothing written)"
        line = (
            f"{kind}: {sum(t.identical for t in ts)}/{n} identical, "
            f"rerun ok {sum(t.rerun_ok for t in ts)}/{n}, "
            f"exit code as expected {sum(t.exit_ok for t in ts)}/{n}{startup}, "
            f"leftovers: {sum(len(t.tmp) for t in ts)} tmp files, "
            f"{sum(len(t.strays) + len(t.rerun_strays) for t in ts)} stray processes, "
            f"hangs {sum(t.hang for t in ts)}, "
            f"validate ok {sum(t.validate_rc == 0 for t in ts)}/{n}"
        )
        early = sum(t.finished_before_signal for t in ts)
        if early:
            line += f" ({early} finished before the signal)"
        return line

    def text(self) -> str:
        if self.error:
            return self.error
        lines = [self.summary(kind) for kind in self.trials]
        failed = [t for ts in self.trials.values() for t in ts if not t.ok]
        if failed:
            lines.append(f"\n{len(failed)} failed trials:")
            lines += ["  " + t.describe() for t in failed]
        return "\n".join(lines)


def run_trials(
    cfg: Config,
    kinds: list[str],
    trials: int,
    *,
    keep: bool = False,
    tmp: str | Path | None = None,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Run ``trials`` crash trials of each of ``kinds``; the report says what was seen."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown kinds {unknown}: choose from {', '.join(KINDS)}")
    say = log or (lambda _msg: None)
    base = Path(tempfile.mkdtemp(prefix="crash-trials-", dir=tmp))
    kept_any = False
    try:
        ref_run = run_to_end(cfg.make_cmd(base / "ref"), base / "ref.stderr", 3600)
        if ref_run.rc != 0 or ref_run.strays:
            return Report(
                {},
                ref_run.seconds,
                f"reference run exited {ref_run.rc} "
                f"({len(ref_run.strays)} strays): {ref_run.stderr.strip()[-500:]}",
            )
        wall = ref_run.seconds
        ref = byte_tree(base / "ref")
        say(f"reference: {cfg.program} n={cfg.n} shard size {cfg.shard_size} workers "
            f"{cfg.workers}: {len(ref)} files in {wall:.2f} s")  # fmt: skip
        hang_timeout = cfg.hang_timeout or max(30.0, 4 * wall)
        rerun_timeout = max(60.0, 10 * wall)
        rng = random.Random(cfg.seed)
        report = Report({}, wall)
        full_runs = [wall]  # the reference, then every rerun that had to do the whole job
        for kind in kinds:
            report.trials[kind] = []
            for i, (seconds, fraction) in enumerate(delay_plan(trials, rng)):
                expected = statistics.median(full_runs[-9:])  # shared cores: times drift
                delay = seconds + fraction * max(expected - EARLY_S, EARLY_S)
                where = base / f"{kind}-{i}"
                where.mkdir()
                trial = run_trial(cfg, kind, i, delay, ref, where, hang_timeout, rerun_timeout)
                if not trial.dir_existed and trial.rerun_ok:
                    full_runs.append(trial.rerun_seconds)
                if not trial.ok and keep:
                    trial.kept = str(where)
                    kept_any = True
                else:
                    shutil.rmtree(where, ignore_errors=True)
                report.trials[kind].append(trial)
                say(f"  {kind} #{i}: signal at {trial.sent_at:.3f} s -> exit {trial.rc}, "
                    f"rerun {trial.rerun_rc} in {trial.rerun_seconds:.1f} s: "
                    f"{'ok' if trial.ok else 'FAILED'}")  # fmt: skip
        return report
    finally:
        if not kept_any:
            shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="trials per kind [20]")
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="comma list [all]: " + ", ".join(KINDS)
    )
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--shard-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--program", default="svg")
    parser.add_argument("--seed", type=int, default=0, help="dataset seed and delay RNG seed")
    parser.add_argument("--keep", action="store_true", help="keep failing trial dirs")
    parser.add_argument("--tmp", default=None, help="where trial dirs go [TMPDIR]")
    parser.add_argument(
        "--grace",
        type=float,
        default=5.0,
        help="seconds for the group to empty after the parent exits [5]",
    )
    parser.add_argument(
        "--hang-timeout",
        type=float,
        default=None,
        help="seconds the parent gets to exit after the signal [max(30, 4x ref)]",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-trial lines")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    cfg = Config(
        program=args.program, n=args.n, shard_size=args.shard_size, workers=args.workers,
        seed=args.seed, grace=args.grace, hang_timeout=args.hang_timeout,
    )  # fmt: skip
    try:
        report = run_trials(
            cfg, kinds, args.trials, keep=args.keep, tmp=args.tmp,
            log=None if args.quiet else (lambda m: print(m, flush=True)),
        )  # fmt: skip
    except ValueError as exc:
        parser.error(str(exc))
    print(report.text(), flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
