"""LLM rewording of multihop questions (``rewrite = "llm"``): the answer, program, documents
and chain stay the program's.

A rewrite is kept only if it means what the template question means, as far as words can
tell (:func:`acceptable`): it still names every word of the program's arguments that the
template named (entity names, the city, the item colour and shape, singular or plural), says
exactly the template's numbers (the year, the threshold), asks about the same relations and
attributes with the same direction (:data:`MEANING`: "more" is not "fewer", "organiser" is
not "chief executive"), names no other proper noun, and passes the same ``no_answer_leak``
check as the template (its verdict is added to the lineage); otherwise the template question
stays and ``multihop.rewrite_discarded`` is counted. The other checks do not depend on the
wording, so their verdicts stand.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthgen.filters.multihop_checks import NoAnswerLeak, PoolQuestion, normalise
from synthgen.generators.paraphrase import singular
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


_MEANING_WORDS = {
    # direction of a comparison or threshold, order in time, negation
    "not": "not no never without none neither nor",
    "more": "more most greater greatest larger largest bigger biggest higher highest over "
    "above exceed exceeds exceeding",
    "less": "fewer fewest less least smaller smallest lower lowest under below",
    "before": "before earlier earliest prior sooner first",
    "after": "after later latest since",
    "older": "older oldest elder eldest",
    "younger": "younger youngest",
    # the relations and attributes the templates ask about (prompts/multihop.toml)
    "headquarters": "headquarters headquartered hq based",
    "organiser": "organiser organisers organised organizer organizers organized organises "
    "organizes organising organizing",
    "ceo": "chief executive executives ceo ceos led leads head heads headed leader leaders "
    "run runs",
    "born": "born birth birthplace",
    "founded": "founded founding established foundation",
    "population": "population populous inhabitants residents live lives",
    "employees": "employees employee staff workforce employs employ workers",
}
MEANING = {word: group for group, words in _MEANING_WORDS.items() for word in words.split()}
"""Word -> what it means in a multihop question. A rewrite must say the same set of these
meanings as the template (in any of their words): dropping "not", turning "more" into
"fewer", "before" into "after", or "organiser" into "chief executive" changes the answer
while keeping every name."""


def _meanings(words: set[str]) -> set[str]:
    return {MEANING[w] for w in words if w in MEANING}


def _proper_nouns(text: str) -> set[str]:
    """Capitalised words that do not open a sentence (names), lower-cased; acronyms ("CEO")
    aside."""
    out: set[str] = set()
    opening = True
    for token in re.findall(r"[.?!:;]|[A-Za-z][a-z]+", text):
        if token in ".?!:;":
            opening = True
            continue
        if token[0].isupper() and not opening:
            out.add(token.lower())
        opening = False
    return out


def acceptable(program: dict[str, Any], original: str, answer: str, rewritten: str) -> bool:
    """Whether ``rewritten`` may replace the template question ``original`` (see the module
    docstring): a sensible length; every program word the original names still there
    (singular or plural); the same numbers; the same :data:`MEANING` groups; no proper noun
    the original does not name; and the answer not in it."""
    if not 0.3 * len(original) <= len(rewritten) <= 3 * len(original) + 20:
        return False
    before, after = normalise(original).split(), normalise(rewritten).split()
    if sorted(w for w in before if w.isdigit()) != sorted(w for w in after if w.isdigit()):
        return False
    said = {singular(w) for w in before}
    words = {singular(w) for w in after}
    if not {singular(t) for t in _terms(program)} & said <= words:
        return False
    if _meanings(set(before)) != _meanings(set(after)):
        return False
    if not _proper_nouns(rewritten) <= set(before):
        return False
    leak = NoAnswerLeak().check(PoolQuestion(rewritten, answer, [], lambda _k: ()))
    return leak.passed and bool(re.search(r"[a-zA-Z]", rewritten))


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
