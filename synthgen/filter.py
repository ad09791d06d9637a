"""Verification filters: the base class and registry (DESIGN.md section 6).

A filter looks at a candidate and returns a :class:`~synthgen.records.Verdict` (passed, score,
threshold, kind, model). Programs call filters through ``ctx.require(filter.check(...))`` so
the verdict lands in the record's lineage, and a failed one rejects the candidate with the
filter's name as the reason code. Concrete filters live in ``synthgen.filters``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal

from synthgen.records import Verdict
from synthgen.registry import Registry


class Filter(ABC):
    """One verification check. Subclasses set ``name`` and ``kind`` and implement ``check``."""

    name: ClassVar[str]
    kind: ClassVar[Literal["oracle", "clip", "vqa", "clap"]] = "oracle"

    @abstractmethod
    def check(self, candidate: Any) -> Verdict:
        """Judge one candidate; never raise for a bad candidate, return a failed verdict."""

    def verdict(self, passed: bool, **fields: Any) -> Verdict:
        """A verdict stamped with this filter's name and kind."""
        return Verdict(filter=self.name, kind=self.kind, passed=passed, **fields)


filters: Registry[type[Filter]] = Registry(
    "filter", "synthgen.filters", builtins=("synthgen.filters",)
)
register_filter = filters.register
