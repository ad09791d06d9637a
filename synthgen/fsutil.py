"""Crash-safe file writing: temporary name, fsync, rename, fsync the directory.

A reader (or a resumed run) therefore sees either the old complete file or the new complete
file, never a torn one. Temporary names start with a dot and contain ``.tmp-`` so stale ones
left by a killed run are easy to find and remove.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from synthgen.errors import UserError

TMP_MARK = ".tmp-"


def tmp_path(final: Path) -> Path:
    """A hidden, unique temporary sibling of ``final``."""
    return final.with_name(f".{final.name}{TMP_MARK}{uuid.uuid4().hex[:12]}")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` atomically and durably."""
    tmp = tmp_path(final)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, final)
    fsync_dir(final.parent)


def publish(tmp: Path, final: Path) -> None:
    """Rename a finished temporary file or directory to its final name (replacing it)."""
    if final.is_dir() and not final.is_symlink():
        shutil.rmtree(final)
    os.replace(tmp, final)
    fsync_dir(final.parent)


_libc = None


def sync_filesystem(path: Path, files: list[Path]) -> None:
    """Make ``files`` durable: one ``syncfs`` of their filesystem where the OS has it
    (thousands of media files per shard would cost thousands of fsyncs), else fsync each."""
    global _libc
    if not files:
        return
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(path, os.O_RDONLY)
        try:
            if _libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    for file in files:
        fsync_file(file)


def remove_path(path: Path) -> None:
    """Remove a file or directory tree if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_stale_temporaries(root: Path) -> int:
    """Delete temporaries a killed run left under ``root``; returns how many."""
    count = 0
    for sub in ("data", "media", "rejects", ".synthgen/shards", ".synthgen", "."):
        folder = root / sub
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.name.startswith(".") and TMP_MARK in entry.name:
                remove_path(entry)
                count += 1
    return count


_held_locks: set[int] = set()
"""File descriptors of the dataset locks this process holds."""


def _release_inherited_locks() -> None:
    """In a forked child: point every inherited lock descriptor at /dev/null. A ``flock``
    belongs to the open file, which a fork shares; a worker that kept it would hold the lock
    for as long as it lives, even after its parent died."""
    if not _held_locks:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        for fd in _held_locks:
            os.dup2(null, fd)
    finally:
        os.close(null)
    _held_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_release_inherited_locks)


@contextlib.contextmanager
def dataset_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on a dataset directory for the length of a run, so two runs
    never write the same shards. Released by the OS if the process dies; never held by the
    processes it forks (worker pools), so it cannot outlive the run that took it."""
    import fcntl

    state = root / ".synthgen"
    try:
        state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"--out {root} cannot be created ({exc.strerror}): choose another --out"
        ) from None
    with open(state / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                f"--out {root} is in use by another synthgen run: wait for it or "
                "choose another --out"
            ) from None
        _held_locks.add(handle.fileno())
        try:
            yield
        finally:
            _held_locks.discard(handle.fileno())
            fcntl.flock(handle, fcntl.LOCK_UN)
