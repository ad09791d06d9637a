"""``audiocaps``: procedural sound scenes with signal-verified captions and audio QA.

Each candidate draws a scene of 1-5 sound events over a noise background
(:mod:`synthgen.world.sound`) and renders it. An event that does not stand out from the rest
of the mix (background and other events) in its own band is taken out of the clip (counted
as ``audiocaps.inaudible.<class>``), so captions and QA name only what can be heard; the
clip is then kept only if every remaining event is audible (``audibility``) and every pair is
separable in time or frequency (``separability``), both measured on the rendered signal.
Captions (a short WavCaps-style one and a detailed one) and QA are computed from the
measured scene graph.

Model-backed options: ``rewrite="llm"`` has an LLM rewrite the short caption WavCaps-style
(structured output, checked to keep every sound and count: ``caption_facts``), and
``clap_model`` keeps a caption only if CLAP scores it at least as high as the plain label text
(AudioSetCaps' rule, ``clap_relative``), making a new caption up to ``clap_retries`` times.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)

from synthgen.filters.audibility import Audibility
from synthgen.filters.separability import Separability
from synthgen.generators.audiocaps.captions import detailed_caption, labels, short_caption
from synthgen.generators.audiocaps.phrases import PROMPT_NAME, Phrasebook
from synthgen.generators.audiocaps.qa import AudioQA, make_qa
from synthgen.generators.audiocaps.rewrite import (
    CaptionFacts,
    WavCapsCaption,
    prompt_sha256,
    rewrite_request,
)
from synthgen.media import Audio
from synthgen.program import Context, Program, ProgramConfig, Reject, Sample, register_program
from synthgen.records import BaseRecord, CompactModel, Verdict
from synthgen.seeding import canonical_json
from synthgen.world.sound import (
    AudioSceneGraph,
    RelationMargins,
    SoundSceneConfig,
    SoundSceneError,
    Structure,
    build_graph,
    get_synth,
    render_scene,
    sample_scene,
)
from synthgen.world.sound.dsp import fft_backend
from synthgen.world.sound.scene import presence_rates
from synthgen.world.sound.speech import espeak_version

log = logging.getLogger(__name__)


class AudiocapsConfig(SoundSceneConfig, ProgramConfig):
    """Scene sampling (inherited: sample_rate, channels, duration_s, events, classes, levels,
    margins), checks, captions and the optional model-backed path."""

    snr_db: float = Field(6.0, description="audibility: in-band SNR each event needs, dB")
    min_retention: float = Field(
        0.6, ge=0, le=1, description="separability: energy share an overlapped event keeps"
    )
    loudness_margin_db: float = Field(6.0, ge=0, description="'louder than' needs this")
    pitch_margin_semitones: float = Field(3.0, ge=0, description="'higher-pitched' needs this")
    detailed: bool = Field(True, description="also write the detailed caption")
    qa: bool = Field(True, description="also write audio QA")
    rewrite: Literal["none", "llm"] = Field("none", description="LLM rewrite of the caption")
    llm: dict[str, Any] = Field(
        default_factory=dict, description="LLM settings for rewrite='llm' (llm.base_url=...)"
    )
    max_words: int = Field(16, ge=4, le=60, description="word limit asked of the LLM")
    clap_model: str | None = Field(None, description="CLAP checkpoint for clap_relative")
    clap_device: str = Field("cpu", description="device of the CLAP scorer")
    clap_retries: int = Field(2, ge=0, le=5, description="new captions after a CLAP failure")
    clap_batch_size: int = Field(
        8,
        ge=1,
        le=1024,
        description="candidates whose CLAP calls share one forward pass (a cohort by index, "
        "synthgen.models.cohort): part of the dataset's identity",
    )

    @model_validator(mode="after")
    def _llm_settings(self) -> AudiocapsConfig:
        if self.rewrite == "llm":
            from synthgen.models import load_llm_settings

            load_llm_settings(self.llm)  # a typo in llm.* is a user error now, not per sample
        return self

    @property
    def needs_llm(self) -> bool:
        return self.rewrite == "llm"

    @property
    def cohort_size(self) -> int:
        """Candidates whose CLAP calls share one (1 without a CLAP model)."""
        return self.clap_batch_size if self.clap_model else 1


SOUND_ENGINE = "synthgen/sound-world"
"""``lineage.models`` id of the procedural sound world that synthesises every clip."""


class AudiocapsRecord(BaseRecord, CompactModel):
    """One clip. Unset optional fields (None) are left out of the JSON (which ones depends on
    the config only, so every record of a dataset has the same keys).

    The graph's relations are ``{"subject", "predicate", "object"}`` objects, written as their
    canonical JSON text (``json.loads(record["graph"]["relations"])``): a one-event clip has
    none, and ``datasets``' bare JSON loader types every shard from the first one, so a first
    shard of one-event clips typed an empty list as ``null`` and failed on the next shard
    (schema 4). ``lineage.models`` lists the engines that made the clip: the procedural
    sound world (:data:`SOUND_ENGINE`, role ``synth``) in every record, so the list is never
    empty for a whole shard (the same loader problem), and espeak-ng where the clip speaks."""

    caption: str = Field(description="short WavCaps-style caption (LLM-rewritten if enabled)")
    caption_detailed: str | None = None
    caption_draft: str | None = Field(None, description="the template caption the LLM rewrote")
    labels: list[str] = Field(description="label texts of the sounds, in caption order")
    graph: AudioSceneGraph
    qa: list[AudioQA] = Field(default_factory=list)

    @field_serializer("graph", mode="wrap")
    def _relations_as_text(
        self, graph: AudioSceneGraph, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        out = handler(graph)
        out["relations"] = canonical_json(out["relations"])
        return out

    @field_validator("graph", mode="before")
    @classmethod
    def _relations_from_text(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("relations"), str):
            value = {**value, "relations": json.loads(value["relations"])}
        return value

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The record's JSON Schema, with the graph's relations as the JSON text they are
        written as (the graph model itself describes the objects)."""
        schema = super().model_json_schema(*args, **kwargs)
        graph = schema.get("$defs", {}).get("AudioSceneGraph", {}).get("properties", {})
        if "relations" in graph:
            graph["relations"] = {
                "type": "string",
                "contentMediaType": "application/json",
                "description": "the relations, a list of {subject id, predicate, object id} "
                "(see Relation), as canonical JSON text",
            }
        return schema


@register_program
class Audiocaps(Program[AudiocapsConfig]):
    name = "audiocaps"
    version = "2"
    description = "procedural sound scenes with signal-verified captions and audio QA"
    Config = AudiocapsConfig
    Record = AudiocapsRecord
    media_kinds = ("audio",)

    @classmethod
    def preflight(cls, config: AudiocapsConfig) -> None:
        """llm.* and, with rewrite=llm, its extra (base class); clap_model needs torch and
        transformers (the CLAP scorer), imported only when a worker opens it. scipy is
        required: its FFT decides the record bytes (:func:`synthgen.world.sound.dsp.
        fft_backend`; without it this is a one-line user error, not records that replay
        differently elsewhere). espeak-ng is optional (speech events skipped with a warning)."""
        fft_backend()  # raises MissingScipy (a UserError) without scipy
        super().preflight(config)
        if config.clap_model:
            from synthgen.models.config import HF_EXTRA_HINT, HF_MODULES, require_modules

            require_modules(HF_MODULES, "audiocaps clap_model", HF_EXTRA_HINT)

    def __init__(self, config: AudiocapsConfig) -> None:
        super().__init__(config)
        self.book = Phrasebook.default()
        self.audibility = Audibility(config.snr_db)
        self.separability = Separability(config.min_retention)
        self.facts = CaptionFacts(self.book)
        self.margins = RelationMargins(
            gap_s=config.gap_margin_s,
            overlap_s=config.overlap_margin_s,
            onset_s=config.onset_margin_s,
            loudness_db=config.loudness_margin_db,
            pitch_semitones=config.pitch_margin_semitones,
        )
        missing = [c for c in config.classes if not get_synth(c).available()]
        if missing:
            log.warning(
                "audiocaps: %s events are skipped: espeak-ng is not installed "
                "(apt-get install espeak-ng to include them)",
                ", ".join(missing),
            )

    def open_backends(self) -> dict[str, Any]:
        cfg = self.config
        out: dict[str, Any] = {}
        if cfg.rewrite == "llm":
            from synthgen.models import create_chat_backend

            out["llm"] = create_chat_backend(cfg.llm)
        if cfg.clap_model:
            from synthgen.models.scorers import ClapScorer

            out["clap"] = ClapScorer(
                cfg.clap_model, device=cfg.clap_device, cohort_size=cfg.clap_batch_size
            )
        return out

    def generate(self, ctx: Context[AudiocapsConfig]) -> Sample | Reject:
        cfg = ctx.config
        book = self.book
        with ctx.stage("sample"):
            try:
                spec = sample_scene(ctx.rng, cfg)
            except SoundSceneError as exc:
                return Reject(exc.reason, exc.detail)
        for label in spec.skipped:
            ctx.counters[f"audiocaps.skipped.{label}"] += 1
        # every clip is made by the procedural sound world; espeak-ng only speaks its speech
        ctx.used_model(SOUND_ENGINE, self.version, role="synth")
        if any(event.label == "speech" for event in spec.events):
            ctx.used_model("espeak-ng", espeak_version(), role="tts")
        with ctx.stage("synth"):
            scene = render_scene(spec, ctx.rng)
        with ctx.stage("check"):
            keep = scene.measurements.audible(cfg.snr_db)
            dropped = [i for i in range(len(spec.events)) if i not in keep]
            for i in dropped:
                ctx.counters[f"audiocaps.inaudible.{spec.events[i].label}"] += 1
            scene = scene.without(dropped)
            ctx.require(self.audibility.check(scene))
            ctx.require(self.separability.check(scene))
        with ctx.stage("caption"):
            graph = build_graph(scene, self.margins)
            st = graph.structure()
            if st is None:  # the sampler guarantees a structure; the graph must agree
                return Reject("no_structure", "graph relations do not give a caption order")
            caption = short_caption(graph, st, book, ctx.rng)
            detailed = detailed_caption(graph, st, book, ctx.rng) if cfg.detailed else None
            names = labels(graph, st, book)
        ctx.used_prompt(PROMPT_NAME, book.sha256)
        with ctx.stage("qa"):
            qa = (
                make_qa(graph, st, book, ctx.rng, absent_weights=presence_rates(cfg))
                if cfg.qa
                else []
            )
        audio = Audio(scene.mix, spec.sample_rate)
        draft = None
        if cfg.rewrite == "llm" or "clap" in ctx.backends:
            draft = caption
            caption = self._model_caption(ctx, graph, st, caption, audio, ", ".join(names))
            if cfg.rewrite == "none":
                draft = None
        return Sample(
            {
                "caption": caption,
                "caption_detailed": detailed,
                "caption_draft": draft,
                "labels": names,
                "graph": graph,
                "qa": qa,
            },
            {"audio": audio},
        )

    def _model_caption(
        self,
        ctx: Context[AudiocapsConfig],
        graph: AudioSceneGraph,
        st: Structure,
        draft: str,
        audio: Audio,
        label_text: str,
    ) -> str:
        """The caption after the LLM rewrite and/or the CLAP check, with AudioSetCaps' retry:
        up to ``clap_retries`` new captions when one fails; the last failure rejects."""
        cfg = ctx.config
        scorer = ctx.backends.get("clap")
        clap = None
        if scorer is not None:
            from synthgen.filters.clap_relative import ClapRelative  # clap_model only

            clap = ClapRelative(scorer)
        attempts = 1 + (cfg.clap_retries if clap is not None else 0)
        if cfg.rewrite == "llm":
            ctx.used_prompt(f"{PROMPT_NAME}.rewrite", prompt_sha256(self.book))
        failed: Verdict | None = None
        for attempt in range(attempts):
            caption = draft
            if attempt and cfg.rewrite == "none":
                caption = short_caption(graph, st, self.book, ctx.rng)
            kept: list[Verdict] = []
            if cfg.rewrite == "llm":
                with ctx.stage("rewrite"):
                    request = rewrite_request(
                        graph, st, self.book, draft, ctx, attempt, cfg.max_words
                    )
                    reply = ctx.backends["llm"].chat_sync(request)
                reply.note_model(ctx)
                assert isinstance(reply.parsed, WavCapsCaption)
                caption = " ".join(reply.parsed.caption.split())
                verdict = self.facts.check((caption, graph))
                if not verdict.passed:
                    failed = verdict
                    continue
                kept.append(verdict)
            if clap is not None:
                with ctx.stage("clap"):
                    verdict = clap.check((audio, caption, label_text))
                scorer.note_model(ctx, role="clap")
                if not verdict.passed:
                    failed = verdict
                    continue
                kept.append(verdict)
            note = f"attempt {attempt + 1} of {attempts}"
            for v in kept:
                ctx.record_verdict(v.model_copy(update={"detail": v.detail or note}))
            return caption
        assert failed is not None
        detail = f"{failed.detail + '; ' if failed.detail else ''}failed {attempts} attempt(s)"
        ctx.require(failed.model_copy(update={"detail": detail}))
        raise AssertionError("unreachable: require() rejects a failed verdict")
