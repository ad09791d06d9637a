"""``vqa_agreement``: ask the MLLM the generated question about the image and compare its
reply with the program's answer.

Matching modes: ``choice`` (multiple choice: the reply's option letter, or the option text,
must be the right one), ``number`` (the first number in the reply, digits or words, equals
the answer), ``exact`` (normalised text: case, punctuation, articles and surrounding space
ignored). ``auto`` picks choice when options are given, number when the answer is an
integer, exact otherwise. A model failure (LLMRejected) propagates and rejects the candidate
with its own reason; a disagreement is a failed verdict (reason ``vqa_agreement``).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any, Literal

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict

LETTERS = "ABCDEFGH"
MatchMode = Literal["auto", "choice", "number", "exact"]
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_ARTICLES = re.compile(r"\b(a|an|the)\b")


@dataclass(frozen=True)
class VQAQuestion:
    """What the filter asks: images, the question, the expected answer, optional options."""

    images: tuple[Any, ...]
    question: str
    answer: str
    choices: tuple[str, ...] | None = None
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def normalise(text: str) -> str:
    text = text.lower().strip()
    text = text.translate(str.maketrans("", "", string.punctuation))
    return " ".join(_ARTICLES.sub(" ", text).split())


def first_number(text: str) -> int | None:
    for token in re.findall(r"-?\d+|[a-z]+", text.lower()):
        if token.lstrip("-").isdigit():
            return int(token)
        if token in _NUMBER_WORDS:
            return _NUMBER_WORDS[token]
    return None


def chosen_letter(reply: str, choices: tuple[str, ...]) -> str | None:
    """The option a reply picks: a leading letter ("B", "B.", "(B)") or an option's text."""
    match = re.match(r"\s*\(?([A-H])\b[).:]?", reply)
    if match and LETTERS.index(match.group(1)) < len(choices):
        return match.group(1)
    said = normalise(reply)
    hits = [LETTERS[i] for i, c in enumerate(choices) if normalise(c) == said]
    return hits[0] if len(hits) == 1 else None


@register_filter
class VqaAgreement(Filter):
    name = "vqa_agreement"
    kind = "vqa"

    def __init__(
        self, llm: Any, mode: MatchMode = "auto", stage: str = "vqa", max_tokens: int = 16
    ) -> None:
        self.llm = llm
        self.mode = mode
        self.stage = stage
        self.max_tokens = max_tokens

    def _mode(self, q: VQAQuestion) -> str:
        if self.mode != "auto":
            return self.mode
        if q.choices:
            return "choice"
        return "number" if q.answer.strip().lstrip("-").isdigit() else "exact"

    def prompt(self, q: VQAQuestion, mode: str) -> str:
        if mode == "choice" and q.choices:
            options = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(q.choices))
            return f"{q.question}\n{options}\nAnswer with the option's letter only."
        if mode == "number":
            return f"{q.question}\nAnswer with a single number."
        return f"{q.question}\nAnswer with a word or a short phrase."

    def check(self, candidate: VQAQuestion) -> Verdict:
        from synthgen.models import ChatRequest

        mode = self._mode(candidate)
        reply = self.llm.chat_sync(
            ChatRequest.user(
                self.prompt(candidate, mode),
                images=list(candidate.images),
                temperature=0.0,
                max_tokens=self.max_tokens,
                seed=candidate.seed,
                stage=self.stage,
                allow_truncated=True,
            )
        )
        said = reply.text.strip()
        if mode == "choice" and candidate.choices:
            expected = LETTERS[list(candidate.choices).index(candidate.answer)]
            passed = chosen_letter(said, candidate.choices) == expected
        elif mode == "number":
            passed = first_number(said) == int(candidate.answer)
        else:
            passed = normalise(said) == normalise(candidate.answer)
        model = f"{reply.model}@{reply.revision}" if reply.revision else reply.model
        return self.verdict(
            passed,
            score=1.0 if passed else 0.0,
            threshold=1.0,
            score_type=f"vqa_{mode}_match",
            model=model,
            detail=None if passed else f"model said {said[:80]!r}",
        )
