"""Error types that decide how synthgen fails.

A :class:`UserError` is something the user can fix (a flag, a config field, an input file):
the CLI prints it as one line and exits 2, and the engine guarantees nothing partial is left
visible. Anything else is an internal error: traceback kept, exit 1.
"""

from __future__ import annotations


class SynthgenError(Exception):
    """Base class of every error synthgen raises on purpose."""


class UserError(SynthgenError):
    """A problem with the user's input. The message names the flag/field/file and the fix."""

    exit_code = 2


class ShardError(SynthgenError):
    """A shard could not be produced after its retries were spent (an internal failure)."""


class DiskFull(SynthgenError):
    """The output filesystem ran out of space. Temporary files are removed and the finished
    shards kept, so the same command resumes once space is freed. CLI exit code 3."""

    exit_code = 3
