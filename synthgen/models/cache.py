"""On-disk response cache shared by every worker process of a machine.

Why sqlite3 in WAL mode rather than one file per key:

* a job of 10^6-10^7 calls would otherwise leave as many tiny files (inode and directory
  pressure, slow ``rm -rf``, slow copies); here it is one file;
* WAL lets any number of processes read while one writes, each ``INSERT`` is an atomic
  transaction (no torn entries after a crash), and ``busy_timeout`` makes writers queue instead
  of failing; ``synchronous=NORMAL`` may lose the last few entries on power loss, which for a
  cache only means a few repeated calls;
* lookups are indexed (``WITHOUT ROWID`` primary key), so a resumed job costs a B-tree probe
  per request.

The price: WAL needs shared memory, so the directory must be on a local disk, not NFS. On a
cluster give each node its own ``cache_dir`` (the default, under ``~/.cache``).

Keys are sha256 hex digests of the canonical JSON of the whole request (see
:func:`cache_key`); values are small JSON objects. Nothing secret is stored: the caller puts
neither the API key nor raw media bytes into the key material or the value. Connections are
opened per (process, thread), because sqlite connections may cross neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synthgen.seeding import canonical_json

CACHE_FILE = "responses.sqlite3"
SCHEMA_VERSION = 1


def cache_key(material: Mapping[str, Any]) -> str:
    """sha256 hex of the canonical JSON of ``material`` (equal requests, equal keys)."""
    payload = canonical_json({"cache_schema": SCHEMA_VERSION, **material})
    return hashlib.sha256(payload.encode()).hexdigest()


class ResponseCache:
    """A key -> JSON-object store in ``directory/responses.sqlite3``, safe across processes.

    Errors are raised as :class:`sqlite3.Error`; the backend treats them as a miss and goes on,
    so a broken cache slows a job down but never stops it.
    """

    def __init__(self, directory: str | Path, busy_timeout_s: float = 30.0) -> None:
        self.directory = Path(directory).expanduser()
        self.path = self.directory / CACHE_FILE
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.path)!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "busy_timeout_s": self.busy_timeout_s}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["directory"], state["busy_timeout_s"])  # type: ignore[misc]

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        self.directory.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_s * 1000)}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS responses ("
            "key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL) WITHOUT ROWID"
        )
        self._local.conn = conn
        self._local.pid = os.getpid()
        return conn

    def get(self, key: str) -> dict[str, Any] | None:
        """The value stored under ``key``, or None."""
        row = self._conn().execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store ``value`` under ``key`` (replacing any older value) in one transaction."""
        self._conn().execute(
            "INSERT OR REPLACE INTO responses (key, value, created) VALUES (?, ?, ?)",
            (key, canonical_json(dict(value)), time.time()),
        )

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close this thread's connection (others close when their thread/process ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local.conn = None
