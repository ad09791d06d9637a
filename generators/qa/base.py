"""Question kinds: the base class, the QA record type and the registry.

A question kind is a small typed program over a :class:`~synthgen.generators.qa.graph.QAGraph`:
it declares what it needs from the graph (``requires``), its answer type, and ``ask`` builds
one question whose answer is computed from the graph, or returns None when this graph cannot
support an unambiguous question of its kind. Every QA carries a structured ``program`` so an
independent evaluator can recompute the answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.templates import Templates
from synthgen.records import StrictModel
from synthgen.registry import Registry

AnswerType = Literal[
    "count", "name", "attribute", "relation", "bool", "box", "point", "list", "text", "image"
]


class QA(StrictModel):
    """One question with its exact answer.

    ``choices`` is set for multiple-choice questions (the answer is one of them, at
    ``answer_index``); ``program`` is the structured form of the question that the answer
    was computed from.
    """

    kind: str
    family: str
    question: str
    answer: str
    answer_type: AnswerType
    choices: list[str] | None = None
    answer_index: int | None = None
    template: str = Field(description="template id: kind/number")
    program: dict[str, Any]


class QuestionKind(ABC):
    """One kind of question. Subclass, set the class attributes, ``@question_kinds.register``."""

    name: ClassVar[str]
    family: ClassVar[str]
    version: ClassVar[str] = "1"
    answer_type: ClassVar[AnswerType]
    requires: ClassVar[frozenset[str]] = frozenset()
    """Graph capabilities needed: boxes, relations, masks, depth, 3d, typed_attributes."""
    images: ClassVar[int] = 1
    """Number of images the kind asks about (multi-image kinds: 2-4, see ``ask_many``)."""

    @abstractmethod
    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        """One question about ``g``, or None if ``g`` supports no unambiguous one."""

    def make(
        self,
        t: Templates,
        rng: np.random.Generator,
        answer: Any,
        program: dict[str, Any],
        choices: list[str] | None = None,
        **slots: Any,
    ) -> QA:
        """Fill a random template of this kind and wrap everything into a :class:`QA`."""
        template_id, text = t.pick(self.name, rng)
        answer_text = str(answer)
        return QA(
            kind=self.name,
            family=self.family,
            question=text.format(**slots),
            answer=answer_text,
            answer_type=self.answer_type,
            template=template_id,
            program={"kind": self.name, **program},
            choices=choices,
            answer_index=choices.index(answer_text) if choices else None,
        )


question_kinds: Registry[type[QuestionKind]] = Registry(
    "question kind", "synthgen.question_kinds", builtins=("synthgen.generators.qa.single",)
)
