"""Executors map the shard function over shard tasks (DESIGN.md section 5).

``local`` runs in-process (1 worker) or on a process pool; ``ray`` runs the very same
function as Ray tasks on a cluster. Results arrive in completion order; the engine orders
them itself, so output never depends on the executor.
"""

from __future__ import annotations

from synthgen.executors.base import Executor, executors, register_executor

__all__ = ["Executor", "executors", "register_executor"]
