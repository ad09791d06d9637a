"""A pronoun stands in for a subject only where the subject is the sentence's subject: every
text template that lets "It" replace ``{s}`` has a verb right after it ("{s} employs",
"{s} is", not "{s} chief executive ...", which read "It chief executive Ramkraer Setha
called the results encouraging")."""

from __future__ import annotations

import re

from synthgen.prompts import load

VERBS = re.compile(
    r"^\{s\} (is|was|has|had|now|said|says|employs|spoke|counts|opened|organised|hosted|"
    r"stands|grew|lies|moved|runs|reported|announced)\b"
)


def test_templates_with_a_pronoun_subject_start_with_a_verb() -> None:
    book = load("multihop")
    pronoun_kinds = {kind for kind, words in book["pronoun"].items() if words}
    checked = 0
    for style in book["text"].values():
        for options in style.values():
            for template in options:
                if template.startswith("{s} "):
                    checked += 1
                    assert VERBS.match(template), template
    assert pronoun_kinds and checked >= 10
