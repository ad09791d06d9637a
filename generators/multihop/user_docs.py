"""Multihop questions about a user's own documents (``documents = "FILE.jsonl"``).

Input: one pool per line, ``{"documents": [{"id": "a", "title": "...", "text": "...",
"images": ["img/a.png"]}, ...]}`` with at least two documents (image paths relative to the
file). Candidate ``i`` is line ``i``. The MLLM sees the pool (texts, then each image labelled
with its document) and few-shot examples from ``prompts/multihop.toml`` and answers with
questions as structured output, each with its answer and claimed evidence quotes per
document. A question is kept only if its quotes occur verbatim (whitespace-normalised) in the
documents they name, the quotes come from at least two documents, the answer is grounded (it
occurs in a quote, else in a document text) and the question does not contain it. The first
kept question makes the record; its chain lists each quote with its character span. The
model's use of images cannot be verified exactly, so the multimodal check is not claimed here.
A malformed line is a user error naming the line and field.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from synthgen.errors import UserError
from synthgen.filters.multihop_checks import leaks, normalise
from synthgen.generators.multihop.schema import Document, Hop, ImagePart, TextPart
from synthgen.program import Context, Reject, Sample
from synthgen.prompts import text_sha256


class UserDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str | None = None
    text: str = ""
    images: list[str] = Field(default_factory=list)


class UserPool(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[UserDocument] = Field(min_length=2)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc: str
    quote: str = Field(min_length=1)


class UserQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=3)
    answer: str = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)


class UserQuestions(BaseModel):
    """What the MLLM must answer (its JSON Schema goes to the server)."""

    model_config = ConfigDict(extra="forbid")

    questions: list[UserQuestion] = Field(min_length=1)


@cache
def load_pools(path: str) -> list[tuple[Path, UserPool]]:
    """The pools of a JSONL file (with the folder image paths are relative to)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise UserError(f"documents file {file} does not exist: check --set documents=PATH")
    pools = []
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            pool = UserPool.model_validate_json(line)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "line"
            raise UserError(
                f"{file} line {n}: field {where}: {err['msg']} (each line is "
                '{"documents": [{"id", "text", "images"}, ...]} with at least two documents)'
            ) from None
        ids = [d.id for d in pool.documents]
        if len(set(ids)) != len(ids):
            raise UserError(f"{file} line {n}: field documents.id: ids must be unique")
        for d in pool.documents:
            for image in d.images:
                if not (file.parent / image).is_file():
                    raise UserError(f"{file} line {n}: field documents.images: no file {image}")
        pools.append((file.parent, pool))
    if not pools:
        raise UserError(f"documents file {file} holds no pools")
    return pools


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """The span of ``quote`` in ``text``, whitespace-insensitively; None if absent."""
    words = _squash(quote).split(" ")
    if words == [""]:
        return None  # a blank quote would match anywhere
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def validate(q: UserQuestion, texts: dict[str, str]) -> list[Hop] | str:
    """The chain of a grounded question, or why it is not kept."""
    hops: list[Hop] = []
    for ev in q.evidence:
        if ev.doc not in texts:
            return f"evidence names unknown document {ev.doc!r}"
        span = find_quote(texts[ev.doc], ev.quote)
        if span is None:
            return f"quote not found in document {ev.doc!r}"
        hops.append(
            Hop(hop=len(hops) + 1, doc=ev.doc, part=0, modality="text", span=span, quote=ev.quote)
        )
    if len({h.doc for h in hops}) < 2:
        return "evidence from fewer than two documents"
    answer = normalise(q.answer)
    if answer.strip() == "":
        return "empty answer"
    in_quotes = any(answer in normalise(h.quote or "") for h in hops)
    if not in_quotes and not any(answer in normalise(t) for t in texts.values()):
        return "answer not grounded in the documents"
    if leaks(q.question, q.answer):
        return "question contains the answer"
    return hops


def _examples(templates: dict[str, Any]) -> str:
    out = []
    for ex in templates["user_questions"]["examples"]:
        reply = {"question": ex["question"], "answer": ex["answer"], "evidence": ex["evidence"]}
        out.append(f"{ex['documents']}\nAnswer: {json.dumps({'questions': [reply]})}")
    return "\n\n".join(out)


def generate_user(
    ctx: Context[Any], entry: tuple[Path, UserPool], templates: dict[str, Any]
) -> Sample | Reject:
    from synthgen.models import ChatRequest, request_seed

    root, pool = entry
    template = templates["user_questions"]["prompt"]
    ctx.used_prompt("multihop/user_questions", text_sha256(template))
    images: list[Image.Image] = []
    labelled: list[Any] = []
    documents: list[Document] = []
    for d in pool.documents:
        parts: list[Any] = [TextPart(text=d.text)]
        for path in d.images:
            with Image.open(root / path) as opened:
                image = opened.convert("RGB")
            name = f"image_{len(images)}"
            images.append(image)
            labelled += [f"(image of doc {d.id})", image]
            parts.append(ImagePart(kind="photo", media=name))
        documents.append(Document(id=d.id, title=d.title or d.id, parts=parts))
    listing = "\n".join(f"[doc {d.id}] {_squash(d.text)}" for d in pool.documents)
    prompt = template.format(
        count=len(pool.documents), examples=_examples(templates), documents=listing
    )
    with ctx.stage("questions"):
        reply = ctx.backends["llm"].chat_sync(
            ChatRequest.user(
                prompt,
                images=labelled,
                response_model=UserQuestions,
                seed=request_seed(ctx.seed, ctx.index),
                stage="user_questions",
            )
        )
    reply.note_model(ctx, role="question_writer")
    texts = {d.id: d.text for d in pool.documents}
    reasons = []
    for q in reply.parsed.questions:  # type: ignore[union-attr]
        found = validate(q, texts)
        if isinstance(found, str):
            ctx.counters["multihop.user_question_discarded"] += 1
            reasons.append(found)
            continue
        return Sample(
            {
                "source": "user",
                "question": q.question,
                "answer": q.answer,
                "question_type": "user",
                "documents": documents,
                "chain": found,
            },
            {f"image_{i}": image for i, image in enumerate(images)},
        )
    return Reject("mllm_question_ungrounded", "; ".join(reasons[:3]))
