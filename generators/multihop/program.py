"""``multihop``: FM2DS-like multimodal multihop QA over pools of fictional documents.

Each record is a pool of 3-6 documents -- prose in several styles, tables (cells and a
rendered image), bar charts and procedural product-line scenes from ``synthgen.world`` -- and
one question whose answer needs 2-4 hops across at least two documents and two modalities.
Per candidate, from its own RNG only:

1. a fictional world (:mod:`.world`): cities, people, companies, events, typed facts;
2. a question program of the requested type (:mod:`.questions`): bridge, comparison,
   intersection, counting or temporal, a path through the world's graph;
3. a layout (:mod:`.documents`): each fact the question reads goes into one document of some
   modality, then distractor documents about other entities fill the pool;
4. the scenes of the pool's product lines, rendered for the whole batch at once;
5. the documents, the answer by executing the program on the documents' structured content
   (:mod:`.evaluate`), the chain of hops with evidence (text span, table cell, image boxes);
6. the oracle checks ``multihop``, ``multimodal``, ``unique_answer`` and ``no_answer_leak``
   (``filters/multihop_checks.py``); their verdicts go into the record's lineage.

Scenes are rendered with ground shadows (realistic); item boxes are the visible-mask boxes
from the id map, which shadows never touch. Model-backed modes: ``rewrite="llm"`` rewords
the question (answer, program and chain stay the program's; the rewrite must keep every name
and number and pass the leak check), ``documents=FILE.jsonl`` asks an MLLM for questions
about a user's documents (:mod:`.user_docs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from PIL import Image
from pydantic import Field, field_validator, model_validator

from synthgen.filters.multihop_checks import (
    Multihop,
    Multimodal,
    NoAnswerLeak,
    PoolQuestion,
    UniqueAnswer,
)
from synthgen.generators.multihop.documents import (
    Builder,
    Layout,
    add_distractors,
    build_documents,
    place,
)
from synthgen.generators.multihop.evaluate import Fact, evaluate, evaluate_parts, facts_of
from synthgen.generators.multihop.questions import Plan, finish_scene_question, plan_question
from synthgen.generators.multihop.schema import (
    QUESTION_TYPES,
    Document,
    Hop,
    MultihopRecord,
    SceneItem,
)
from synthgen.generators.multihop.world import World, sample_world
from synthgen.program import (
    Context,
    Program,
    ProgramConfig,
    Reject,
    Rejected,
    Sample,
    register_program,
)
from synthgen.prompts import load
from synthgen.world import SceneSamplingError, WorldConfig
from synthgen.world.render import Rendering
from synthgen.world.scene import Scene, sample_rendered_scenes

BATCH_SIZE = 32


def default_world() -> WorldConfig:
    return WorldConfig(min_objects=3, max_objects=6, width=256, height=192)


class MultihopConfig(ProgramConfig):
    types: tuple[str, ...] = Field(QUESTION_TYPES, description=f"question types: {QUESTION_TYPES}")
    docs: tuple[int, int] = Field((3, 6), description="fewest and most documents per pool")
    max_hops: int = Field(4, ge=2, le=8, description="most hops in a question's chain")
    world: WorldConfig = Field(
        default_factory=default_world, description="product-line scenes (synthgen.world)"
    )
    rewrite: Literal["none", "llm"] = Field("none", description="llm: reword the question")
    documents: str | None = Field(
        None, description="JSONL of your documents: the MLLM writes questions about them"
    )
    llm: dict[str, Any] = Field(
        default_factory=dict, description="LLM settings: base_url, model, max_concurrency, ..."
    )

    @field_validator("types")
    @classmethod
    def _types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in value if t not in QUESTION_TYPES]
        if not value or unknown:
            raise ValueError(f"unknown question types {unknown}; choose from {QUESTION_TYPES}")
        return tuple(value)

    @field_validator("docs")
    @classmethod
    def _docs(cls, value: tuple[int, int]) -> tuple[int, int]:
        lo, hi = value
        if not 2 <= lo <= hi <= 8:
            raise ValueError("docs must satisfy 2 <= fewest <= most <= 8, e.g. docs=[3, 6]")
        return value

    @model_validator(mode="after")
    def _modes(self) -> MultihopConfig:
        if self.documents is not None and self.rewrite == "llm":
            raise ValueError("documents=FILE and rewrite=llm exclude each other")
        return self

    @property
    def needs_llm(self) -> bool:
        return self.rewrite == "llm" or self.documents is not None


@dataclass
class Prepared:
    """A candidate after world, question and layout, waiting for its scenes."""

    world: World
    plan: Plan
    layout: Layout
    scene_rngs: list[np.random.Generator]


@register_program
class MultihopProgram(Program[MultihopConfig]):
    name = "multihop"
    version = "1"
    description = "FM2DS-like multimodal multihop QA: fictional document pools, verified chains"
    Config = MultihopConfig
    Record = MultihopRecord
    media_kinds = ("image",)

    def __init__(self, config: MultihopConfig) -> None:
        super().__init__(config)
        self.templates = load("multihop")
        self.checks = (Multihop(), Multimodal(), UniqueAnswer(), NoAnswerLeak())
        self.user = None
        if config.documents is not None:
            from synthgen.generators.multihop.user_docs import load_pools

            self.user = load_pools(config.documents)

    def media_slots(self) -> list[str]:
        """Every image name a record can have, for the webdataset layout (each sample has a
        member per slot; see :class:`synthgen.sinks.WebDatasetWriter`): a procedural pool has
        at most ``docs[1]`` documents of at most one image each; a user pool has its images."""
        if self.user is not None:
            most = max(sum(len(d.images) for d in pool.documents) for _, pool in self.user)
        else:
            most = self.config.docs[1]
        return [f"image_{k}" for k in range(most)]

    @classmethod
    def candidate_limit(cls, config: MultihopConfig) -> int | None:
        if config.documents is None:
            return None
        from synthgen.generators.multihop.user_docs import load_pools

        return len(load_pools(config.documents))

    def open_backends(self) -> dict[str, Any]:
        if not self.config.needs_llm:
            return {}
        from synthgen.models import create_chat_backend

        return {"llm": create_chat_backend(self.config.llm)}

    def batch_size(self) -> int:
        return 1 if self.user is not None else BATCH_SIZE

    # -- generation ----------------------------------------------------------------------

    def generate(self, ctx: Context[MultihopConfig]) -> Sample | Reject:
        return self._run([ctx])[0]  # type: ignore[return-value]

    def generate_batch(
        self, ctxs: list[Context[MultihopConfig]]
    ) -> list[Sample | Reject | Exception]:
        return self._run(ctxs)

    def _run(self, ctxs: list[Context[MultihopConfig]]) -> list[Sample | Reject | Exception]:
        if self.user is not None:
            from synthgen.generators.multihop.user_docs import generate_user

            out: list[Sample | Reject | Exception] = []
            for ctx in ctxs:
                try:
                    out.append(generate_user(ctx, self.user[ctx.index], self.templates))
                except Rejected as rejected:
                    out.append(rejected.reject)
            return out
        prepared: list[Prepared | Reject | Exception] = []
        for ctx in ctxs:
            with ctx.stage("plan"):
                try:
                    prepared.append(self._prepare(ctx))
                except Exception as exc:
                    prepared.append(exc)
        rngs = [r for p in prepared if isinstance(p, Prepared) for r in p.scene_rngs]
        with ctxs[0].stage("scene"):
            rendered = iter(sample_rendered_scenes(rngs, self.config.world)) if rngs else iter(())
        results: list[Sample | Reject | Exception] = []
        for ctx, prep in zip(ctxs, prepared, strict=True):
            if not isinstance(prep, Prepared):
                results.append(prep)
                continue
            scenes = [next(rendered) for _ in prep.scene_rngs]
            try:
                with ctx.stage("documents"):
                    results.append(self._finish(ctx, prep, scenes))
            except Rejected as rejected:
                results.append(rejected.reject)
            except Exception as exc:
                results.append(exc)
        if self.config.rewrite == "llm":
            from synthgen.generators.multihop.rewrite import rewrite_batch

            rewrite_batch(ctxs, results, self.templates)
        return results

    def _prepare(self, ctx: Context[MultihopConfig]) -> Prepared | Reject:
        cfg, rng = ctx.config, ctx.rng
        world = sample_world(rng)
        qtype = cfg.types[int(rng.integers(len(cfg.types)))]
        plan = plan_question(world, rng, qtype)
        if plan is None:
            return Reject("no_question", f"no {qtype} question fits this world")
        lo, hi = cfg.docs
        layout = place(world, plan, rng, max_docs=hi)
        if layout is None:
            return Reject("placement", f"{plan.variant}: no layout over {hi} documents")
        target = int(rng.integers(max(lo, len(layout.docs)), hi + 1))
        add_distractors(world, layout, rng, target)
        n_scenes = sum(k == "scene" for k, _ in layout.docs)
        seeds = rng.integers(0, 2**63, size=n_scenes, dtype=np.int64).tolist()
        return Prepared(world, plan, layout, [np.random.default_rng(s) for s in seeds])

    def _finish(
        self,
        ctx: Context[MultihopConfig],
        prep: Prepared,
        scenes: list[tuple[Scene, Rendering] | SceneSamplingError],
    ) -> Sample | Reject:
        rng, plan = ctx.rng, prep.plan
        lines: dict[str, tuple[list[SceneItem], Image.Image]] = {}
        companies = [name for kind, name in prep.layout.docs if kind == "scene"]
        for company, made in zip(companies, scenes, strict=True):
            if isinstance(made, SceneSamplingError):
                return Reject("scene_sampling", str(made))
            lines[company] = (_items(*made), made[1].image)
        if plan.scene_param and not finish_scene_question(
            plan, {c: lines[c][0] for c in plan.scenes}, rng
        ):
            return Reject("no_scene_filter", f"{plan.variant}: no item tells the scenes apart")
        phrasings = self.templates["questions"][plan.variant]
        question = phrasings[int(rng.integers(len(phrasings)))].format(**plan.args)
        builder = Builder(prep.world, prep.layout, self.templates, rng)
        documents, media = build_documents(builder, lines)
        facts = facts_of(documents)
        outcome = evaluate(plan.program, facts)
        if len(outcome.answers) != 1:
            return Reject("unique_answer", f"the pool gives {sorted(outcome.answers)[:4]}")
        answer = next(iter(outcome.answers))
        chain = chain_of(outcome.used)
        if not 2 <= len(chain) <= ctx.config.max_hops:
            return Reject("hops", f"{len(chain)} hops")
        candidate = pool_question(question, answer, documents, facts, plan.program, chain)
        with ctx.stage("checks"):
            for check in self.checks:
                ctx.require(check.check(candidate))
        return Sample(
            {
                "source": "procedural",
                "question": question,
                "answer": answer,
                "question_type": plan.qtype,
                "variant": plan.variant,
                "program": plan.program,
                "documents": documents,
                "chain": chain,
            },
            media,
        )


def _items(scene: Scene, rendering: Rendering) -> list[SceneItem]:
    boxes = rendering.visible_stats().bboxes.tolist()
    return [
        SceneItem(
            id=k + 1,
            shape=o.shape,
            color=o.color,
            material=o.material,
            size=o.size,
            bbox=tuple(boxes[k]),
        )
        for k, o in enumerate(scene.objects)
    ]


def chain_of(used: list[Fact]) -> list[Hop]:
    """One hop per fact read; the items read from one scene make one hop (their boxes)."""
    hops: list[Hop] = []
    scene_hop: dict[tuple[int, str], Hop] = {}
    for f in used:
        if f.predicate in ("item", "line"):
            key = (f.part, f.subject)
            hop = scene_hop.get(key)
            if hop is None:
                hop = Hop(
                    hop=len(hops) + 1,
                    doc=f.doc,
                    part=f.part_in_doc,
                    modality="image",
                    subject=f.subject,
                    predicate="items",
                    regions=[],
                )
                scene_hop[key] = hop
                hops.append(hop)
            if f.predicate == "item":
                hop.regions.append(tuple(f.value.bbox))  # type: ignore[union-attr]
            continue
        hops.append(
            Hop(
                hop=len(hops) + 1,
                doc=f.doc,
                part=f.part_in_doc,
                modality=f.modality,  # type: ignore[arg-type]
                subject=f.subject,
                predicate=f.predicate,
                value=str(f.value),
                **f.evidence,
            )
        )
    for hop in scene_hop.values():  # an items hop's value: how many items it read
        hop.value = str(len(hop.regions or ()))
    return hops


def pool_question(
    question: str,
    answer: str,
    documents: list[Document],
    facts: list[Fact],
    program: dict[str, Any],
    chain: list[Hop],
) -> PoolQuestion:
    """The oracle checks' view of a procedural record: its reader is the evaluator."""
    parts = [(d.id, p.type) for d in documents for p in d.parts]
    return PoolQuestion(
        question=question,
        answer=answer,
        parts=parts,
        answers_from=lambda keys: evaluate_parts(program, facts, set(keys)).answers,
        chain=[(h.doc, h.modality) for h in chain],
    )
