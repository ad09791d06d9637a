"""Oracle checks of multihop questions over document pools (FM2DS's filters, made exact).

A candidate is a :class:`PoolQuestion`: the question, its answer, the pool's parts as
``(document id, modality)`` and ``answers_from(parts)``, the set of answers a reader can
derive from those parts alone (empty: unanswerable; several: ambiguous). For a procedural
record that reader is the program's evaluator, so every check below is exact:

* ``multihop``: no single document yields the answer (each document evaluated alone), and
  the chain draws on at least two documents;
* ``multimodal``: the chain uses at least two modalities, no single modality yields the
  answer (text alone, tables alone, images alone), and dropping all parts of any modality
  the chain uses makes the answer underivable;
* ``unique_answer``: the whole pool yields exactly one answer, the record's;
* ``no_answer_leak``: the answer does not occur in the question (word-bounded, case- and
  thousands-separator-insensitive).

Scores count the offending subsets (0 passes) so lineage tells how close a reject was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict

AnswersFrom = Callable[[Collection[int]], Collection[str]]


@dataclass(frozen=True)
class PoolQuestion:
    question: str
    answer: str
    parts: Sequence[tuple[str, str]]
    """(document id, modality) of every part of the pool, in order (index = part key)."""
    answers_from: AnswersFrom
    chain: Sequence[tuple[str, str]] = ()
    """(document id, modality) of every hop of the reasoning chain."""

    def keys(self, keep: Callable[[str, str], bool]) -> list[int]:
        return [k for k, (doc, modality) in enumerate(self.parts) if keep(doc, modality)]

    def derivable(self, keys: Collection[int]) -> bool:
        return set(self.answers_from(keys)) == {self.answer}


@register_filter
class Multihop(Filter):
    name = "multihop"
    kind = "oracle"

    def check(self, candidate: PoolQuestion) -> Verdict:
        docs = sorted({doc for doc, _ in candidate.parts})
        alone = [
            d for d in docs if candidate.derivable(candidate.keys(lambda doc, _m, d=d: doc == d))
        ]
        chain_docs = {doc for doc, _ in candidate.chain}
        passed = not alone and len(chain_docs) >= 2
        detail = None
        if alone:
            detail = f"document {alone[0]} alone answers it"
        elif len(chain_docs) < 2:
            detail = f"the chain uses {len(chain_docs)} document(s)"
        return self.verdict(
            passed,
            score=float(len(alone)),
            threshold=0.0,
            score_type="single_doc_answers",
            detail=detail,
        )


@register_filter
class Multimodal(Filter):
    name = "multimodal"
    kind = "oracle"

    def check(self, candidate: PoolQuestion) -> Verdict:
        pool = sorted({m for _, m in candidate.parts})
        used = sorted({m for _, m in candidate.chain})
        bad: list[str] = []
        for m in pool:
            if candidate.derivable(candidate.keys(lambda _d, mod, m=m: mod == m)):
                bad.append(f"{m} alone answers it")
        for m in used:
            if candidate.derivable(candidate.keys(lambda _d, mod, m=m: mod != m)):
                bad.append(f"answerable without {m}")
        if len(used) < 2:
            bad.append(f"the chain uses only {used}")
        return self.verdict(
            not bad,
            score=float(len(bad)),
            threshold=0.0,
            score_type="modality_failures",
            detail="; ".join(bad) or None,
        )


@register_filter
class UniqueAnswer(Filter):
    name = "unique_answer"
    kind = "oracle"

    def check(self, candidate: PoolQuestion) -> Verdict:
        answers = sorted(candidate.answers_from(range(len(candidate.parts))))
        passed = answers == [candidate.answer]
        return self.verdict(
            passed,
            score=float(len(answers)),
            threshold=1.0,
            score_type="answers",
            detail=None if passed else f"the pool gives {answers[:4]}",
        )


def normalise(text: str) -> str:
    """Lower case, thousands separators dropped, runs of non-alphanumerics -> one space."""
    text = re.sub(r"(?<=\d)[,_](?=\d{3})", "", text.lower())
    return " " + " ".join(re.findall(r"[a-z0-9]+", text)) + " "


def leaks(question: str, answer: str) -> bool:
    """Whether ``answer`` occurs in ``question`` as whole words."""
    a = normalise(answer)
    return a.strip() != "" and a in normalise(question)


@register_filter
class NoAnswerLeak(Filter):
    name = "no_answer_leak"
    kind = "oracle"

    def check(self, candidate: PoolQuestion) -> Verdict:
        leaked = leaks(candidate.question, candidate.answer)
        return self.verdict(
            not leaked,
            detail=f"question contains the answer {candidate.answer!r}" if leaked else None,
        )
