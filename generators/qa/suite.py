"""The QA suite: picks question kinds for a graph (or a set of 2-4 graphs), asks them,
flattens answers, turns some into multiple choice, and renders LLaVA-style conversations.

Everything is a pure function of (graph, config, rng), so a record's QA replays exactly.
Kinds whose requirements the graph lacks are skipped and counted by reason
(``qa.skipped.<kind>.needs_<capability>``), which the engine sums into the manifest.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from synthgen.generators.qa.balance import Balancer
from synthgen.generators.qa.base import (
    QA,
    MultiImageKind,
    QuestionKind,
    _new,
    _set_dict,
    _set_extra,
    _set_fields_set,
    _set_private,
    permutation,
    question_kinds,
    sample,
)
from synthgen.generators.qa.distractors import distractors_for
from synthgen.generators.qa.draws import draws
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.templates import Templates, default_templates

LETTERS = "ABCDEFGH"
MC_INSTRUCTION = "Answer with the option's letter from the given choices directly."
BALANCED_SOURCES = frozenset({"svg"})
"""Graph sources the default balance tables (the shapes world's) were calibrated on."""


class QAConfig(BaseModel):
    """Which questions to ask and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: tuple[str, ...] | None = Field(
        None, description="question kinds (default: all single-image, or all multi-image)"
    )
    per_image: int = Field(8, ge=0, le=200, description="questions per image (or image set)")
    multiple_choice_ratio: float = Field(
        0.3, ge=0, le=1, description="share of questions turned into MC"
    )
    num_choices: int = Field(4, ge=2, le=len(LETTERS))
    balance: bool = Field(
        True, description="flatten answer distributions per kind (see qa/balance.py)"
    )

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
    """Asks ``per_image`` questions of distinct kinds where possible.

    ``calibration_world``: the world settings the single-image answer balance is calibrated
    on (a recipe passes its own, any registered world's; default: the shapes world).
    ``calibration_sets`` / ``calibration_key``: image sets the multi-image kinds' balance
    is calibrated on (default: independent procedural graphs). See :class:`Balancer`.
    """

    def __init__(
        self,
        config: QAConfig,
        templates: Templates | None = None,
        calibration_sets: Callable[[], Sequence[Sequence[QAGraph]]] | None = None,
        calibration_key: str = "independent",
        calibration_world: BaseModel | None = None,
    ) -> None:
        self.config = config
        self.templates = templates or default_templates()
        names = config.kinds or tuple(question_kinds.names())
        kinds = [question_kinds.get(n)() for n in names]
        self.kinds: list[QuestionKind] = [k for k in kinds if not isinstance(k, MultiImageKind)]
        self.multi_kinds: list[MultiImageKind] = [k for k in kinds if isinstance(k, MultiImageKind)]
        self.balancer = Balancer(calibration_sets, calibration_key, calibration_world)
        self.balanced_sources = BALANCED_SOURCES | _world_source(calibration_world)
        self._by_caps: dict[frozenset[str], tuple[list[QuestionKind], tuple[str, ...]]] = {}
        """capabilities -> the single-image kinds eligible and the skip counters to count
        (:meth:`_eligible` of ``self.kinds``: every image of a world has the same few)."""

    def warm(self, multi: bool = True) -> None:
        """Every balance table this suite's balanced kinds can use (``multi``: the
        multi-image kinds' too), read from the per-machine cache or computed; then the
        calibration graphs are dropped (the 3,520-image sample of leftmost/rightmost on
        sprites holds about 2.8 GB). Kinds an image of the calibration world can never ask (a
        capability its graphs lack) are skipped. For a job's process before its workers start
        (``Program.warm_up``)."""
        from synthgen.gc_tuning import release_memory
        from synthgen.generators.qa.balance import calibration_graphs

        if not self.config.balance:
            return
        # a world's images all have the same capabilities: a few graphs tell them (the
        # full sample is built only for a table not yet on disk)
        caps = frozenset().union(
            *(g.capabilities() for g in calibration_graphs(self.balancer.world, 1))
        )
        for kind in [*self.kinds, *(self.multi_kinds if multi else ())]:
            if kind.balance and not (kind.requires - caps):
                self.balancer.table(kind)
        calibration_graphs.cache_clear()
        release_memory()

    def ask(
        self, g: QAGraph, rng: np.random.Generator, counters: Counter[str] | None = None
    ) -> list[QA]:
        """Questions about one image (``rng`` moves on by whole blocks of draws: see
        :mod:`~synthgen.generators.qa.draws`)."""
        rng = draws(rng)
        caps = g.capabilities()
        got = self._by_caps.get(caps)
        if got is None:
            skips: Counter[str] = Counter()
            got = self._by_caps[caps] = (
                self._eligible(self.kinds, caps, skips),
                tuple(skips.elements()),
            )
        eligible, skipped = got
        if counters is not None:
            for key in skipped:  # the same counts as _eligible's, from its first run
                counters[key] += 1
        balanced = self.config.balance and g.source in self.balanced_sources
        gate = self.balancer.admit if balanced else None
        templates = self.templates
        return self._run(eligible, lambda k: k.propose(g, rng, templates, gate), g, rng, balanced)

    def ask_many(
        self,
        graphs: Sequence[QAGraph],
        rng: np.random.Generator,
        counters: Counter[str] | None = None,
    ) -> list[QA]:
        """Questions about a set of 2-4 images (multi-image kinds)."""
        rng = draws(rng)
        caps = frozenset.intersection(*(g.capabilities() for g in graphs))
        kinds = [k for k in self.multi_kinds if k.images <= len(graphs)]
        eligible = self._eligible(kinds, caps, counters)
        balanced = self.config.balance and all(g.source in self.balanced_sources for g in graphs)
        return self._run(
            eligible,
            lambda k: k.ask_many(graphs, rng, self.templates),  # type: ignore[attr-defined]
            None,
            rng,
            balanced,
            lambda k, qa: k.distractors(qa, graphs),  # type: ignore[attr-defined]
            _pair_fact if len(graphs) == 2 else None,
        )

    @staticmethod
    def _eligible(
        kinds: Sequence[QuestionKind], caps: frozenset[str], counters: Counter[str] | None
    ) -> list[QuestionKind]:
        eligible: list[QuestionKind] = []
        for kind in kinds:
            missing = kind.requires - caps
            if missing:
                if counters is not None:
                    counters[f"qa.skipped.{kind.name}.needs_{sorted(missing)[0]}"] += 1
                continue
            excluded = kind.excludes & caps
            if excluded:  # never asks such a graph (its ``excludes``): no try spent on it
                if counters is not None:
                    counters[f"qa.skipped.{kind.name}.not_for_{sorted(excluded)[0]}"] += 1
                continue
            eligible.append(kind)
        return eligible

    def _run(
        self,
        eligible: list[QuestionKind],
        ask: Callable[[QuestionKind], QA | None],
        g: QAGraph | None,
        rng: np.random.Generator,
        balanced: bool,
        more: Callable[[QuestionKind, QA], list[str]] | None = None,
        fact: Callable[[QA], Any] | None = None,
    ) -> list[QA]:
        """``fact``: what a question states, where two programs can state the same (None:
        the program itself); a question whose fact is asked already is not asked again."""
        out: list[QA] = []
        facts: set[Any] = set()
        want = self.config.per_image
        if not eligible or want == 0:
            return out
        order = permutation(rng, len(eligible))
        n = len(order)
        attempts = 0
        asked: set[Any] = set()  # the programs' "kind" entries in ``out``: equal programs
        # have equal entries, so a program with a new one is no repeat
        ratio = self.config.multiple_choice_ratio
        accept = self.balancer.accept
        while len(out) < want and attempts < 3 * want:
            kind = eligible[order[attempts % n]]
            attempts += 1
            qa = ask(kind)
            if qa is None:
                continue  # nothing to ask
            program = qa.program
            entry = program.get("kind")
            if entry in asked and any(q.program == program for q in out):
                continue  # asked already (in other words, maybe)
            stated = fact(qa) if fact is not None else None
            if stated is not None and stated in facts:
                continue  # the same fact asked the other way round
            if balanced and kind.balance and not kind.gated and not accept(kind, qa, rng):
                continue
            if rng.random() < ratio:
                qa = self.to_multiple_choice(qa, g, rng, more(kind, qa) if more else ())
            out.append(qa)
            asked.add(entry)
            if stated is not None:
                facts.add(stated)
        return out

    def to_multiple_choice(
        self, qa: QA, g: QAGraph | None, rng: np.random.Generator, more: Sequence[str] = ()
    ) -> QA:
        """Add shuffled options; distractors are plausible and never equal the answer
        (``more``: the kind's own, for multi-image questions).

        A question that lists its own options keeps them all (even fewer than
        ``num_choices``); otherwise it needs ``num_choices - 1`` distractors or stays
        free-form."""
        pool = sorted({d for d in (*distractors_for(qa, g), *more) if d != qa.answer})
        need = self.config.num_choices - 1
        if "options" in qa.program:
            need = min(need, len(pool))
        if need < 1 or len(pool) < need:
            return qa
        choices = [qa.answer, *sample(rng, pool, need)]
        choices = [choices[i] for i in permutation(rng, len(choices))]
        return _with_choices(qa, choices, choices.index(qa.answer))


def _pair_fact(qa: QA) -> Any:
    """The fact an image-select question states about two images: "Which image has a
    hat? Image 1" and "Which image has no hat? Image 2" state the same one (None for
    other questions)."""
    program = qa.program
    if program.get("op") != "image_select":
        return None
    return ("image_select", json.dumps(program.get("cond"), sort_keys=True))


def _with_choices(qa: QA, choices: list[str], index: int) -> QA:
    """``qa.model_copy(update={"choices": choices, "answer_index": index})`` (a shallow
    copy, both fields set), without pydantic's copy machinery."""
    new = _new(QA)
    _set_dict(new, {**qa.__dict__, "choices": choices, "answer_index": index})
    _set_fields_set(new, {*qa.__pydantic_fields_set__, "choices", "answer_index"})
    extra, private = qa.__pydantic_extra__, qa.__pydantic_private__
    _set_extra(new, None if extra is None else copy.copy(extra))  # copy.copy(None) is None
    _set_private(new, None if private is None else copy.copy(private))
    return new


def _world_source(world: BaseModel | None) -> frozenset[str]:
    """The graph source a calibration world's graphs carry: a registered world other than
    shapes names its graphs by its own name (``from_world_graph``); shapes graphs are
    ``svg``, already balanced."""
    if world is None:
        return frozenset()
    from synthgen.world import WorldConfig
    from synthgen.world.choice import world_name

    return frozenset() if isinstance(world, WorldConfig) else frozenset({world_name(world)})


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
