"""LLM paraphrases of templated questions (``paraphrase = "llm"``); the answer stays the
program's.

A rewrite is kept only if it still names every term the answer depends on (object names,
attribute values and predicates in the question's program) and does not leak the answer;
otherwise the template question stays and ``qa.paraphrase_discarded`` is counted. Model and
prompt hash go into the record's lineage.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthgen.generators.qa import QA
from synthgen.program import Context
from synthgen.prompts import load, text_sha256


class Paraphrase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=3)


def _terms(value: Any) -> set[str]:
    """Words of the program's string values (names, attributes, predicates)."""
    if isinstance(value, dict):
        return (
            set().union(*(_terms(v) for k, v in value.items() if k != "kind")) if value else set()
        )
    if isinstance(value, list | tuple):
        return set().union(*(_terms(v) for v in value)) if value else set()
    if isinstance(value, str):
        return set(re.findall(r"[a-z]+", value.lower()))
    return set()


def acceptable(qa: QA, rewritten: str) -> bool:
    original = set(re.findall(r"[a-z]+", qa.question.lower()))
    words = set(re.findall(r"[a-z]+", rewritten.lower()))
    needed = _terms(qa.program) & original
    if not needed <= words:
        return False
    answer = set(re.findall(r"[a-z0-9]+", qa.answer.lower()))
    leaked = (answer - set(re.findall(r"[a-z0-9]+", qa.question.lower()))) & words
    return not leaked


def paraphrase_all(ctx: Context[Any], llm: Any, qas: list[QA]) -> list[QA]:
    """Rewrite each question with one batched round of requests (concurrent on the server)."""
    from synthgen.models import ChatRequest, LLMRejected, request_seed

    if not qas:
        return qas
    template = load("paraphrase")["question"]["prompt"]
    ctx.used_prompt("paraphrase/question", text_sha256(template))
    requests = [
        ChatRequest.user(
            template.format(question=qa.question),
            response_model=Paraphrase,
            seed=request_seed(ctx.seed, ctx.index, call=1 + i),
            stage="paraphrase",
        )
        for i, qa in enumerate(qas)
    ]
    out: list[QA] = []
    for qa, reply in zip(qas, llm.chat_many_sync(requests), strict=True):
        if isinstance(reply, LLMRejected):
            ctx.counters[f"qa.paraphrase_failed.{reply.reject.reason}"] += 1
            out.append(qa)
            continue
        reply.note_model(ctx, role="paraphraser")
        rewritten = reply.parsed.question.strip()  # type: ignore[union-attr]
        if acceptable(qa, rewritten):
            out.append(
                qa.model_copy(update={"question": rewritten, "original_question": qa.question})
            )
        else:
            ctx.counters["qa.paraphrase_discarded"] += 1
            out.append(qa)
    return out
