"""The model-backed caption path: an LLM rewrites the template caption WavCaps-style.

The request carries the event facts (sounds in order, with counts) and the draft caption and
asks for structured output (:class:`WavCapsCaption`). A rewrite must keep the facts:
:class:`CaptionFacts` checks that it still names every sound (a mention word of its class),
states every count of a countable sound heard more than once, and names no sound that is not
there. A failed check rejects the caption with the reason ``caption_facts``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from synthgen.filter import Filter
from synthgen.generators.audiocaps.phrases import Phrasebook
from synthgen.prompts import text_sha256
from synthgen.records import Verdict
from synthgen.world.sound import AudioSceneGraph, Structure, get_synth

if TYPE_CHECKING:
    from synthgen.models.messages import ChatRequest
    from synthgen.program import Context

REWRITE_STAGE = "audiocaps.rewrite"
COUNT_WINDOW = 48
"""A count must be stated within this many characters of a mention of its sound."""


class WavCapsCaption(BaseModel):
    """The structured answer the LLM must give."""

    model_config = ConfigDict(extra="forbid")

    caption: str = Field(min_length=3, max_length=400)


def facts(graph: AudioSceneGraph, st: Structure, book: Phrasebook) -> str:
    """The event facts in caption order, e.g. "a bell (3 times); then rain (background)"."""
    parts = []
    for gi, group in enumerate(st.groups):
        items = []
        for i in group:
            e = graph.events[i]
            text = book.of(e).a
            if get_synth(e.label).countable:
                text += f" ({e.repetitions} times)"
            items.append(text)
        joined = " together with ".join(items)
        parts.append(joined if gi == 0 else f"then {joined}")
    parts += [f"{book.of(graph.events[i]).a} in the background" for i in st.ambient]
    return "; ".join(parts)


def prompt_sha256(book: Phrasebook) -> str:
    return text_sha256(book.rewrite["system"] + "\n" + book.rewrite["user"])


def rewrite_request(
    graph: AudioSceneGraph,
    st: Structure,
    book: Phrasebook,
    draft: str,
    ctx: Context,
    call: int,
    max_words: int,
) -> ChatRequest:
    """The chat request of rewrite attempt ``call`` (its own reproducible sampling seed)."""
    from synthgen.models.messages import ChatRequest, request_seed  # rewrite=llm only

    user = book.rewrite["user"].format(
        max_words=max_words, facts=facts(graph, st, book), draft=draft
    )
    return ChatRequest.user(
        user,
        system=book.rewrite["system"],
        seed=request_seed(ctx.seed, ctx.index, call),
        response_model=WavCapsCaption,
        stage=REWRITE_STAGE,
    )


class CaptionFacts(Filter):
    """Oracle check that a (rewritten) caption keeps the graph's facts (module docstring).

    Not registered: it belongs to this program and reads its phrasebook.
    """

    name = "caption_facts"
    kind = "oracle"

    def __init__(self, book: Phrasebook) -> None:
        self.book = book

    def problems(self, caption: str, graph: AudioSceneGraph) -> list[str]:
        book = self.book
        out = []
        present = {e.label for e in graph.events}
        for e in graph.events:
            where = book.mentioned(e.label, caption)
            if not where:
                out.append(f"misses the {book.of(e).name}")
            elif get_synth(e.label).countable and e.repetitions > 1:
                count = re.compile(
                    r"\b(?:" + "|".join(map(re.escape, book.count_words(e.repetitions))) + r")\b",
                    re.IGNORECASE,
                )
                near = (caption[max(0, p - COUNT_WINDOW) : p + COUNT_WINDOW] for p in where)
                if not any(count.search(window) for window in near):
                    out.append(f"misses the count {e.repetitions} of the {book.of(e).name}")
        for label in book.classes:
            if label not in present and book.mentioned(label, caption):
                out.append(f"names an absent {book.classes[label].name}")
        return out

    def check(self, candidate: tuple[str, AudioSceneGraph]) -> Verdict:
        """``candidate``: (caption, graph)."""
        caption, graph = candidate
        problems = self.problems(caption, graph)
        return self.verdict(
            not problems,
            score=float(len(problems)),
            threshold=0.0,
            score_type="fact_errors",
            detail="; ".join(problems) or None,
        )
