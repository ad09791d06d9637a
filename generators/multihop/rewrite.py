"""LLM rewording of multihop questions (``rewrite = "llm"``): the answer, program, documents
and chain stay the program's.

A rewrite is kept only if it still names every word of the program's arguments that the
template question named (entity names, the city, the item colour and shape, the year or
threshold) and passes the same ``no_answer_leak`` check as the template (its verdict is added
to the lineage); otherwise the template question stays and ``multihop.rewrite_discarded`` is
counted. The other checks do not depend on the wording, so their verdicts stand.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthgen.filters.multihop_checks import NoAnswerLeak, PoolQuestion, normalise
from synthgen.program import Context, Reject, Sample
from synthgen.prompts import text_sha256

SKIP_KEYS = frozenset({"op", "rel", "attr", "goal", "inverse"})


class Rewrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=3)


def _terms(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_terms(v) for k, v in value.items() if k not in SKIP_KEYS), set())
    if isinstance(value, list):
        return set().union(*(_terms(v) for v in value), set())
    if isinstance(value, str | int) and not isinstance(value, bool):
        return set(normalise(str(value)).split())
    return set()


def acceptable(program: dict[str, Any], original: str, answer: str, rewritten: str) -> bool:
    """Every program word the original names is still there, and the answer is not."""
    needed = _terms(program) & set(normalise(original).split())
    words = set(normalise(rewritten).split())
    leak = NoAnswerLeak().check(PoolQuestion(rewritten, answer, [], lambda _k: ()))
    return needed <= words and leak.passed and bool(re.search(r"[a-zA-Z]", rewritten))


def rewrite_batch(
    ctxs: list[Context[Any]], results: list[Sample | Reject | Exception], templates: dict
) -> None:
    """Reword the accepted samples of a batch in place, one concurrent round of requests."""
    from synthgen.models import ChatRequest, LLMRejected, request_seed

    todo = [i for i, r in enumerate(results) if isinstance(r, Sample)]
    if not todo:
        return
    llm = ctxs[0].backends["llm"]
    template = templates["rewrite"]["prompt"]
    sha = text_sha256(template)
    requests = []
    for i in todo:
        ctx = ctxs[i]
        ctx.used_prompt("multihop/rewrite", sha)
        requests.append(
            ChatRequest.user(
                template.format(question=results[i].data["question"]),  # type: ignore[union-attr]
                response_model=Rewrite,
                seed=request_seed(ctx.seed, ctx.index, call=1),
                stage="rewrite",
            )
        )
    for i, reply in zip(todo, llm.chat_many_sync(requests), strict=True):
        ctx, sample = ctxs[i], results[i]
        assert isinstance(sample, Sample)
        if isinstance(reply, LLMRejected):
            ctx.counters[f"multihop.rewrite_failed.{reply.reason}"] += 1
            ctx.counters["degraded.rewrite"] += 1  # shown on the console: not silent
            continue
        reply.note_model(ctx, role="rewriter")
        data = sample.data
        new = reply.parsed.question.strip()  # type: ignore[union-attr]
        if not acceptable(data["program"], data["question"], data["answer"], new):
            ctx.counters["multihop.rewrite_discarded"] += 1
            continue
        verdict = NoAnswerLeak().check(PoolQuestion(new, data["answer"], [], lambda _k: ()))
        ctx.record_verdict(verdict.model_copy(update={"detail": "rewritten question"}))
        data["original_question"] = data["question"]
        data["question"] = new
