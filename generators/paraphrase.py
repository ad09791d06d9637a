"""LLM paraphrases of templated questions (``paraphrase = "llm"``); the answer stays the
program's.

A rewrite is kept only if it keeps every number, box and point of the question, every name
of its program that the question mentions (object names, attribute values, predicates, the
attribute asked about; singular or plural), its meaning words (negations, directions,
comparatives), and does not leak the answer (see :func:`acceptable`);
otherwise the template question stays and ``qa.paraphrase_discarded`` is counted. Model and
prompt hash go into the record's lineage.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from synthgen.generators.qa import QA
from synthgen.program import Context
from synthgen.prompts import load, text_sha256


class Paraphrase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=3)


_NAME_KEYS = frozenset(
    {"name", "names", "options", "attrs", "value", "pred", "query", "objects", "key"}
)
"""Program keys whose string values are names a question refers to (objects, attribute
values, predicates, the attribute asked about); ``op``, ``kind``, ``axis``, ``most`` and the
like are the program's own vocabulary, not words of the question."""

_KEEP = frozenset(
    re.findall(
        r"\w+",
        """not no none without same different left right top bottom front behind above below
    closer closest nearer nearest farther farthest further furthest most least more fewer
    size color colour material shape camera viewer region point points box""",
    )
)
"""Words that decide a question's meaning whatever the program says: a rewrite that drops
one (turns "not" around, "left" into "right", "closest" into "farthest") is discarded."""

_IRREGULAR = {"tori": "torus", "people": "person", "men": "man", "women": "woman",
              "children": "child", "mice": "mouse", "geese": "goose", "feet": "foot",
              "teeth": "tooth", "leaves": "leaf", "knives": "knife", "shelves": "shelf",
              "colour": "color"}  # fmt: skip

_STOP = frozenset(
    re.findall(
        r"\w+",
        """a an the of in on at to is are be there this that these those it its with and or which
    what how many much does do can you see image picture scene one each every""",
    )
)


@lru_cache(maxsize=65536)
def singular(word: str) -> str:
    """Singular, lower-case form for comparing names: "cubes" ~ "cube", "tori" ~ "torus"."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("ses", "s")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "as")) and len(w) > 3:
        return w[:-1]
    return w


def _words(text: str) -> set[str]:
    return {singular(w) for w in re.findall(r"[a-z]+", text.lower())}


def _content(text: str) -> list[str]:
    """The words of ``text`` that are not function words (:data:`_STOP`)."""
    return [w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP]


def _number_groups(text: str) -> list[tuple[str, ...]]:
    """Every box ``[x, y, w, h]``, point ``(x, y)`` and lone number, as sorted tuples of
    number strings (a rewrite may reorder the options, never change one)."""
    groups = []
    for m in re.finditer(r"[\[(]([^\])\[(]*)[\])]|-?\d+(?:\.\d+)?", text):
        inside = m.group(1)
        nums = re.findall(r"-?\d+(?:\.\d+)?", inside) if inside is not None else [m.group(0)]
        if nums:
            groups.append(tuple(nums))
    return sorted(groups)


def _names(value: Any, key: str | None = None) -> set[str]:
    """Words of the program's names (see :data:`_NAME_KEYS`), normalised."""
    if isinstance(value, dict):
        out: set[str] = set()
        for k, v in value.items():
            if k == "attrs" and isinstance(v, dict):
                out |= _names(list(v.values()), "value") | {singular(str(a)) for a in v}
            elif k != "kind":
                out |= _names(v, k)
        return out
    if isinstance(value, list | tuple):
        return set().union(*(_names(v, key) for v in value)) if value else set()
    if isinstance(value, str) and key in _NAME_KEYS:
        return _words(value)
    return set()


def acceptable(qa: QA, rewritten: str) -> bool:
    """Whether ``rewritten`` may replace ``qa.question``: it keeps every number, box and
    point of the original (as written, in any order), every name of the question's program
    the original mentions (singular or plural), every meaning word of :data:`_KEEP` and adds
    none, shares
    a content word and is of a sensible length, and does not leak an answer word the
    question did not already hold."""
    original = qa.question
    if not 0.3 * len(original) <= len(rewritten) <= 3 * len(original) + 20:
        return False
    if _number_groups(original) != _number_groups(rewritten):
        return False
    before, after = _words(original), _words(rewritten)
    needed = (_names(qa.program) & before) | (before & _KEEP)
    if not needed <= after or (after & _KEEP) - before:
        return False  # a name or meaning word dropped, or a meaning word ("not") added
    if not _words(" ".join(_content(original))) & after:
        return False
    answer = _words(qa.answer) | set(re.findall(r"\d+", qa.answer))
    leaked = (answer - before - set(re.findall(r"\d+", original))) & (
        after | set(re.findall(r"\d+", rewritten))
    )
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
    replies = llm.chat_many_sync(requests)
    if any(isinstance(reply, LLMRejected) for reply in replies):
        ctx.counters["degraded.paraphrase"] += 1  # shown on the console: not silent
    for qa, reply in zip(qas, replies, strict=True):
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
