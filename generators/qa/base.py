"""Question kinds: the base classes, the QA record type and the registry.

A question kind is a small typed program over a :class:`~synthgen.generators.qa.graph.QAGraph`:
it declares what it needs from the graph (``requires``), its answer type, and ``ask`` builds
one question whose answer is computed from the graph, or returns None when this graph cannot
support an unambiguous question of its kind. Every QA carries a structured ``program`` (see
:mod:`~synthgen.generators.qa.programs`) so an independent evaluator can recompute the answer.

Multi-image kinds (:class:`MultiImageKind`) ask about 2-4 graphs at once (``ask_many``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from synthgen.generators.jsonfield import OMIT_NONE_BASES, OMITTED, JsonObject
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.programs import permutation, sample  # noqa: F401  (re-exported)
from synthgen.generators.qa.templates import Templates, agree
from synthgen.records import OptionalIndex, OptionalStrings, StrictModel
from synthgen.registry import Registry

AnswerType = Literal[
    "count", "name", "attribute", "relation", "bool", "box", "point", "list", "text", "image"
]


class QA(*OMIT_NONE_BASES, StrictModel):  # type: ignore[misc]
    """One question with its exact answer.

    ``choices`` is set for multiple-choice questions (the answer is one of them, at
    ``answer_index``); in the record's JSON they are JSON text (``""``: none) and ``-1``
    (none), so every shard types them alike for ``datasets``' bare JSON loader; ``program``
    is the structured form of the question that the answer was computed from. When the
    question itself lists the options to choose from (``which is closer, the A or the
    B?``), they are ``program["options"]``.

    ``program`` is a dict in memory and its canonical JSON text in the record's JSON (its
    nodes change shape with the op -- a ref object or a region list -- so one string column
    keeps the records loadable by Arrow / ``datasets``); ``original_question`` is left out of
    the JSON when there is none.
    """

    kind: str
    family: str
    question: str
    answer: str
    answer_type: AnswerType
    choices: OptionalStrings = None  # the list in memory; JSON text on disk ("" = none)
    answer_index: OptionalIndex = None  # the int in memory; -1 on disk = none
    template: str = Field(description="template id: kind/number")
    program: JsonObject = Field(
        description="the question's program (see qa/programs.py) as canonical JSON text"
    )
    original_question: str | None = Field(
        None, description="the template question when ``question`` is a paraphrase", **OMITTED
    )

    omit_when_none: ClassVar[tuple[str, ...]] = ("original_question",)


VALIDATE_QA = False
"""Build each :class:`QA` of :meth:`QuestionKind.make` through pydantic's validation
(True) or straight from its values (False, the default: they are already what validation
makes of them -- text, the answer-type literal, a list of strings or None, an int or None,
a fresh program dict -- and the QA is the same; ``tests/qa/test_qa_speed.py`` compares
both ways over many graphs)."""

_QA_FIELDS = frozenset(QA.model_fields) - {"original_question"}
"""The fields :meth:`QuestionKind.make` sets (all but ``original_question``): the
fields-set validation gives such a QA."""


def _trusted_qa(values: dict[str, Any]) -> QA:
    """``QA(**values)`` without validation: ``values`` holds every field but
    ``original_question`` (None here), in field order, already of the validated types."""
    values["original_question"] = None
    qa = _new(QA)
    _set_dict(qa, values)
    _set_fields_set(qa, set(_QA_FIELDS))
    _set_extra(qa, None)
    _set_private(qa, None)
    return qa


def _slot_setter(name: str) -> Callable[[Any, Any], None]:
    """The setter of a pydantic model's slot (``__dict__``, ``__pydantic_fields_set__``,
    ...): what ``object.__setattr__(model, name, value)`` calls, found once."""
    for cls in QA.__mro__:
        if name in cls.__dict__:
            return cls.__dict__[name].__set__  # type: ignore[no-any-return]
    raise AttributeError(name)  # pragma: no cover


_new = QA.__new__  # object.__new__: pydantic models define no __new__
_set_dict = _slot_setter("__dict__")
_set_fields_set = _slot_setter("__pydantic_fields_set__")
_set_extra = _slot_setter("__pydantic_extra__")
_set_private = _slot_setter("__pydantic_private__")


Gate = Callable[["QuestionKind", str, str, np.random.Generator], bool]
"""(kind, balance key, balance label, rng) -> keep the proposal?"""


class QuestionKind(ABC):
    """One kind of question. Subclass, set the class attributes, ``@question_kinds.register``."""

    name: ClassVar[str]
    family: ClassVar[str]
    version: ClassVar[str] = "1"
    answer_type: ClassVar[AnswerType]
    requires: ClassVar[frozenset[str]] = frozenset()
    """Graph capabilities needed: boxes, relations, masks, depth, 3d, typed_attributes."""
    excludes: ClassVar[frozenset[str]] = frozenset()
    """Graph capabilities under which the kind never asks (``ask`` gives None), e.g. ``world``
    for a kind whose words would give an open world's answers away: the suite does not
    spend one of an image's tries on it (a third of the tries on sprite images went to
    such kinds)."""
    images: ClassVar[int] = 1
    """Number of images the kind asks about (multi-image kinds: 2-4, see ``ask_many``)."""
    balance: ClassVar[bool] = False
    """Whether the suite flattens this kind's answers against its calibrated distribution
    (see :mod:`~synthgen.generators.qa.balance`). Kinds whose answer is one of the options
    the question lists shuffle the options instead, and need no calibration unless
    something else in the question hints at the answer (``balance_label``)."""
    gated: ClassVar[bool] = False
    """The kind draws its balance label before doing the work and consults the suite's
    ``gate`` (see :meth:`propose`), so rejected proposals cost nothing."""
    balance_floor: ClassVar[float | None] = None
    """Answers at least this share of the most frequent one are made equally likely
    (None: the balance module's default; yes/no kinds: all answers)."""

    @abstractmethod
    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        """One question about ``g``, or None if ``g`` supports no unambiguous one."""

    def propose(
        self, g: QAGraph, rng: np.random.Generator, t: Templates, gate: Gate | None = None
    ) -> QA | None:
        """``ask`` with answer balancing applied by the kind itself: a ``gated`` kind calls
        ``gate(self, key, label, rng)`` once it has drawn its balance key and label and
        gives up when it says no. The suite then does not apply the acceptance again.
        Default: ``ask`` (the suite balances after the fact)."""
        return self.ask(g, rng, t)

    def balance_key(self, qa: QA) -> str:
        """The part of the question's form that could predict its answer (which slots are
        filled, which predicate class): answers are flattened per key, so a question-only
        model learns nothing from it. Default: one key per kind."""
        return ""

    def balance_label(self, qa: QA) -> str:
        """What is flattened: by default the answer (its position for options questions).
        Override to flatten a cue instead, e.g. the image-height rank of the answer point."""
        return answer_label(qa)

    def make(
        self,
        t: Templates,
        rng: np.random.Generator,
        answer: Any,
        program: dict[str, Any],
        choices: list[str] | None = None,
        table: str | None = None,
        **slots: Any,
    ) -> QA:
        """Fill a random template of this kind (of template table ``table`` when the kind
        words its questions per predicate) and wrap everything into a :class:`QA`."""
        template_id, text = t.pick(table or self.name, rng)
        answer_text = str(answer)
        values = {
            "kind": self.name,
            "family": self.family,
            "question": agree(text, slots).format(**slots),
            "answer": answer_text,
            "answer_type": self.answer_type,
            "choices": None if choices is None else list(choices),
            "answer_index": choices.index(answer_text) if choices else None,
            "template": template_id,
            "program": {"kind": self.name, **program},
        }
        if VALIDATE_QA:
            return QA(**values)
        return _trusted_qa(values)


def answer_label(qa: QA) -> str:
    """The answer's class for balancing and blind baselines: for a question that lists its
    options, the answer's position among them (the options are in the question, so a model
    gets them for free; telling which one is the task); else the answer text."""
    options = qa.program.get("options")
    if options is not None and qa.answer in options:
        return f"#{options.index(qa.answer)}"
    return qa.answer


class MultiImageKind(QuestionKind):
    """A question about 2-4 images at once; images are named ``Image 1`` ... in order."""

    images: ClassVar[int] = 2
    """Fewest images the kind needs."""

    def ask(self, g: QAGraph, rng: np.random.Generator, t: Templates) -> QA | None:
        return None

    @abstractmethod
    def ask_many(
        self, graphs: Sequence[QAGraph], rng: np.random.Generator, t: Templates
    ) -> QA | None:
        """One question about the images of ``graphs``, or None."""

    def distractors(self, qa: QA, graphs: Sequence[QAGraph]) -> list[str]:
        """Wrong answers of the kind's own, for multiple choice, beside those of the answer
        type (:func:`~synthgen.generators.qa.distractors.distractors_for`); default none."""
        return []


question_kinds: Registry[type[QuestionKind]] = Registry(
    "question kind",
    "synthgen.question_kinds",
    builtins=("synthgen.generators.qa.single", "synthgen.generators.qa.multi"),
)
