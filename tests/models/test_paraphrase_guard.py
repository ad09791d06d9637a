"""``paraphrase.acceptable``: an LLM rewrite replaces a templated question only if it keeps
every number, box, point and referenced name of the original. Adversarial rewrites of every
question kind svg asks (shapes and sprites worlds): gibberish, a changed number, a swapped
name, a dropped negation or direction; a faithful rewording is kept."""

from __future__ import annotations

import re
from functools import cache

import pytest

import synthgen
from synthgen.generators.paraphrase import acceptable
from synthgen.generators.qa import QA


@cache
def _questions() -> dict[str, list[QA]]:
    """Up to 4 questions of each kind, from a few images of each world."""
    out: dict[str, list[QA]] = {}
    for world in ("shapes", "sprites"):
        for record in synthgen.generate("svg", n=12, seed=3, world=world, qa={"per_image": 12}):
            for qa in record.qa:
                if len(out.setdefault(qa.kind, [])) < 4:
                    out[qa.kind].append(qa)
    return out


def test_the_sample_covers_the_question_kinds() -> None:
    assert len(_questions()) >= 25


def _all() -> list[QA]:
    return [qa for qas in _questions().values() for qa in qas]


def test_a_faithful_rewording_is_kept() -> None:
    kept = [qa.kind for qa in _all() if acceptable(qa, "Please tell me: " + qa.question)]
    assert len(kept) == len(_all())


def test_gibberish_is_discarded_for_every_kind() -> None:
    assert [(qa.kind, qa.question) for qa in _all() if acceptable(qa, "zzz")] == []


@pytest.mark.parametrize("junk", ["What is this?", "Describe the image."])
def test_a_generic_question_replaces_no_specific_one(junk: str) -> None:
    """(A caption request may well become "Describe the image."; a question that names a
    thing, a number or a region may not.)"""
    specific = [
        qa
        for qa in _all()
        if re.search(r"\d", qa.question)
        or any(name in qa.question for name in _program_names(qa.program))
    ]
    assert len(specific) >= 40
    assert [(qa.kind, qa.question) for qa in specific if acceptable(qa, junk)] == []


def test_a_changed_number_box_or_point_is_discarded() -> None:
    tried = 0
    for qa in _all():
        for m in re.finditer(r"\d+", qa.question):
            changed = qa.question[: m.start()] + str(int(m.group()) + 1) + qa.question[m.end() :]
            assert not acceptable(qa, changed), (qa.kind, changed)
            dropped = qa.question[: m.start()] + qa.question[m.end() :]
            assert not acceptable(qa, dropped), (qa.kind, dropped)
            tried += 1
    assert tried >= 20


def test_a_swapped_or_dropped_name_is_discarded() -> None:
    tried = 0
    for qa in _all():
        names = _program_names(qa.program)
        for name in names:
            pattern = re.compile(rf"\b{re.escape(name)}(e?s)?\b")
            if not pattern.search(qa.question):
                continue
            other = "zebra" if name != "zebra" else "lamp"
            swapped = pattern.sub(other, qa.question)
            assert not acceptable(qa, swapped), (qa.kind, swapped)
            tried += 1
    assert tried >= 30


def test_plural_and_singular_forms_count_as_the_same_name() -> None:
    count = next(
        qa
        for qa in _all()
        if re.fullmatch(r"How many [a-z ]+ are there\?", qa.question)
        and isinstance(qa.program.get("select", {}).get("name"), str)
        and " " not in qa.program["select"]["name"]
    )
    words = count.question.removeprefix("How many ").removesuffix(" are there?").split()
    singular = " ".join([*words[:-1], count.program["select"]["name"]])  # "gray cube"
    assert words[-1] != count.program["select"]["name"]  # the question says the plural
    assert acceptable(count, f"Count each {singular} you can see in the picture, please.")
    assert acceptable(count, f"Count all the {' '.join(words)} in the picture, please.")
    thing = " ".join([*words[:-1], "things"])
    assert not acceptable(count, f"Count all the {thing} in the picture, please.")


@pytest.mark.parametrize(
    ("word", "other"),
    [("not", "indeed"), ("left", "right"), ("closer", "bigger"), ("closest", "biggest")],
)
def test_dropping_a_meaning_word_is_discarded(word: str, other: str) -> None:
    hits = [qa for qa in _all() if re.search(rf"\b{word}\b", qa.question)]
    for qa in hits:
        flipped = re.sub(rf"\b{word}\b", other, qa.question)
        assert not acceptable(qa, flipped), (qa.kind, flipped)


def _program_names(program: object) -> set[str]:
    """Object names of a program (``name`` fields and ``names`` lists)."""
    out: set[str] = set()
    if isinstance(program, dict):
        for key, value in program.items():
            if key == "name" and isinstance(value, str):
                out.add(value)
            elif key == "names" and isinstance(value, list):
                out |= {v for v in value if isinstance(v, str)}
            else:
                out |= _program_names(value)
    elif isinstance(program, list):
        for value in program:
            out |= _program_names(value)
    return out


def test_adding_a_meaning_word_is_discarded() -> None:
    """A negation or a direction the template did not say turns the question around."""
    plain = [qa for qa in _all() if not re.search(r"\b(not|left|right)\b", qa.question)]
    assert len(plain) >= 20
    for qa in plain:
        assert not acceptable(qa, "Is it not so: " + qa.question), qa.question
        assert not acceptable(qa, qa.question + " (left)"), qa.question
