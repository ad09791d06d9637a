"""Questions about an image pair and their LLaVA conversation turns.

Kinds: ``what_changed`` (answer: the first difference caption), ``where`` (answer: the changed
boxes, left to right), ``which_image`` (A/B multiple choice about an object phrase that matches
objects in exactly one image), ``how_many`` (number of differences; asked when the config
allows more than one, so the answer is informative). Phrasings come from
``prompts/imgdiff.toml``. The conversation's first human turn carries two ``<image>`` tokens.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthgen.generators.imgdiff.describe import capitalise, phrasebook
from synthgen.generators.imgdiff.schema import Box, ChangeRecord, DiffQA

LETTERS = "AB"


def box_text(box: Box) -> str:
    """A box as questions and answers state it: ``[x, y, w, h]`` in pixels (left, top,
    width, height), the one convention of every record, question and export."""
    x, y, w, h = box
    return f"[{x}, {y}, {w}, {h}]"


def which_image_options(rng: np.random.Generator, options: list[tuple[int, str, int]]) -> Any:
    """Pick one (change index, phrase, image 0/1) uniformly (one draw, always made)."""
    u = float(rng.random())
    return options[int(u * len(options))] if options else None


def make_qa(
    changes: list[ChangeRecord],
    captions: list[str],
    which: tuple[int, str, int] | None,
    ask_count: bool,
) -> list[DiffQA]:
    q = phrasebook()["questions"]
    out = [DiffQA(kind="what_changed", question=q["what_changed"], answer=captions[0])]
    order = sorted(range(len(changes)), key=lambda i: (changes[i].box[0], changes[i].box[1], i))
    boxes = [changes[i].box for i in order]
    out.append(
        DiffQA(
            kind="where",
            question=q["where_one"] if len(boxes) == 1 else q["where_many"],
            answer=", ".join(box_text(b) for b in boxes),
            boxes=boxes,
        )
    )
    if which is not None:
        index, phrase, image = which
        choices = list(q["which_choices"])
        out.append(
            DiffQA(
                kind="which_image",
                question=q["which_image"].format(x=phrase),
                answer=choices[image],
                choices=choices,
                change=index,
            )
        )
    if ask_count:
        out.append(DiffQA(kind="how_many", question=q["how_many"], answer=str(len(changes))))
    return out


def render(qa: DiffQA) -> tuple[str, str]:
    """(prompt, reply) of one question as a conversation turn."""
    if qa.kind == "which_image" and qa.choices:
        options = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(qa.choices))
        letter = LETTERS[qa.choices.index(qa.answer)]
        return f"{qa.question}\n{options}\nAnswer with the option's letter.", letter
    return qa.question, capitalise(qa.answer) if qa.kind != "where" else qa.answer


def conversations(qas: list[DiffQA]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for i, qa in enumerate(qas):
        prompt, reply = render(qa)
        if i == 0:
            prompt = "<image>\n<image>\n" + prompt
        turns.append({"from": "human", "value": prompt})
        turns.append({"from": "gpt", "value": reply})
    return turns
