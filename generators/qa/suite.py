"""The QA suite: picks question kinds for a graph, asks them, turns some into multiple choice,
and renders LLaVA-style conversations.

Everything is a pure function of (graph, config, rng), so a record's QA replays exactly.
Kinds whose requirements the graph lacks are skipped and counted by reason
(``qa.skipped.<kind>.needs_<capability>``), which the engine sums into the manifest.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from synthgen.generators.qa.base import QA, QuestionKind, question_kinds
from synthgen.generators.qa.distractors import distractors_for
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.templates import Templates, default_templates

LETTERS = "ABCDEFGH"
MC_INSTRUCTION = "Answer with the option's letter from the given choices directly."


class QAConfig(BaseModel):
    """Which questions to ask and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: tuple[str, ...] | None = Field(None, description="question kinds (default: all)")
    per_image: int = Field(8, ge=0, le=200, description="questions per image")
    multiple_choice_ratio: float = Field(
        0.3, ge=0, le=1, description="share of questions turned into MC"
    )
    num_choices: int = Field(4, ge=2, le=len(LETTERS))

    @field_validator("kinds")
    @classmethod
    def _known(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None:
            known = set(question_kinds.names())
            unknown = [k for k in value if k not in known]
            if unknown:
                raise ValueError(f"unknown question kinds {unknown}; known: {sorted(known)}")
        return value


class QASuite:
    """Asks ``per_image`` questions of distinct kinds where possible."""

    def __init__(self, config: QAConfig, templates: Templates | None = None) -> None:
        self.config = config
        self.templates = templates or default_templates()
        names = config.kinds or tuple(question_kinds.names())
        self.kinds: list[QuestionKind] = [question_kinds.get(n)() for n in names]

    def ask(
        self, g: QAGraph, rng: np.random.Generator, counters: Counter[str] | None = None
    ) -> list[QA]:
        caps = g.capabilities()
        eligible: list[QuestionKind] = []
        for kind in self.kinds:
            missing = kind.requires - caps
            if missing:
                if counters is not None:
                    counters[f"qa.skipped.{kind.name}.needs_{sorted(missing)[0]}"] += 1
                continue
            eligible.append(kind)
        out: list[QA] = []
        if not eligible or self.config.per_image == 0:
            return out
        order = rng.permutation(len(eligible))
        attempts = 0
        while len(out) < self.config.per_image and attempts < 3 * self.config.per_image:
            kind = eligible[int(order[attempts % len(order)])]
            attempts += 1
            qa = kind.ask(g, rng, self.templates)
            if qa is None:
                continue
            if rng.random() < self.config.multiple_choice_ratio:
                qa = self.to_multiple_choice(qa, g, rng)
            out.append(qa)
        return out

    def to_multiple_choice(self, qa: QA, g: QAGraph, rng: np.random.Generator) -> QA:
        """Add shuffled options; distractors are plausible and never equal the answer."""
        pool = [d for d in distractors_for(qa, g) if d != qa.answer]
        if len(pool) < self.config.num_choices - 1:
            return qa
        picks = rng.choice(len(pool), size=self.config.num_choices - 1, replace=False)
        choices = [qa.answer, *(pool[int(i)] for i in picks)]
        choices = [choices[int(i)] for i in rng.permutation(len(choices))]
        return qa.model_copy(update={"choices": choices, "answer_index": choices.index(qa.answer)})


def render_question(qa: QA) -> tuple[str, str]:
    """(prompt, reply) of one QA in LLaVA's style; multiple choice answers with the letter."""
    if qa.choices is None or qa.answer_index is None:
        return qa.question, qa.answer
    options = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(qa.choices))
    return f"{qa.question}\n{options}\n{MC_INSTRUCTION}", LETTERS[qa.answer_index]


def conversations(qas: list[QA], image_tokens: int = 1) -> list[dict[str, Any]]:
    """LLaVA conversation turns; the first human turn carries the ``<image>`` token(s)."""
    turns: list[dict[str, Any]] = []
    for i, qa in enumerate(qas):
        prompt, reply = render_question(qa)
        if i == 0:
            prompt = "<image>\n" * image_tokens + prompt
        turns.append({"from": "human", "value": prompt})
        turns.append({"from": "gpt", "value": reply})
    return turns
