"""The oracle checks on hand-built pools: single-hop, text-only, ambiguous and leaking
questions are rejected; a real two-document, two-modality question passes."""

from __future__ import annotations

from synthgen.filters.multihop_checks import (
    Multihop,
    Multimodal,
    NoAnswerLeak,
    UniqueAnswer,
    leaks,
)
from synthgen.generators.multihop.evaluate import evaluate, facts_of
from synthgen.generators.multihop.program import chain_of, pool_question
from synthgen.generators.multihop.schema import Document, TablePart, TextFact, TextPart


def text_doc(doc_id: str, subject: str, facts: list[tuple[str, object]]) -> Document:
    text = f"About {subject}."
    out = []
    for predicate, value in facts:
        sentence = (
            f" {subject} {predicate} {value:,}."
            if isinstance(value, int)
            else (f" {subject} {predicate} {value}.")
        )
        out.append(
            TextFact(
                subject=subject,
                predicate=predicate,
                value=str(value),
                span=(len(text) + 1, len(text) + len(sentence)),
            )
        )
        text += sentence
    return Document(id=doc_id, title=subject, parts=[TextPart(text=text, facts=out)])


def cities_table(doc_id: str, rows: list[tuple[str, int]]) -> Document:
    return Document(
        id=doc_id,
        title="Cities",
        parts=[
            TablePart(
                caption="Cities",
                header=["City", "Population"],
                columns=["name", "population"],
                rows=[[n, f"{p:,}"] for n, p in rows],
            )
        ],
    )


BRIDGE = {
    "op": "lookup",
    "start": "Vorn Labs",
    "steps": [{"rel": "headquarters"}],
    "attr": "population",
}
QUESTION = "What is the population of the city where Vorn Labs is headquartered?"


def verdicts(question: str, program: dict, documents: list[Document]) -> dict[str, bool]:
    facts = facts_of(documents)
    outcome = evaluate(program, facts)
    answer = sorted(outcome.answers)[0] if outcome.answers else ""
    candidate = pool_question(question, answer, documents, facts, program, chain_of(outcome.used))
    checks = (Multihop(), Multimodal(), UniqueAnswer(), NoAnswerLeak())
    return {c.name: c.check(candidate).passed for c in checks}


def test_two_documents_two_modalities_pass() -> None:
    docs = [
        text_doc("d0", "Vorn Labs", [("headquarters", "Kelvik"), ("founded", 1990)]),
        cities_table("d1", [("Kelvik", 120_000), ("Dastad", 9_000)]),
        text_doc("d2", "Dastad", [("founded", 1400)]),
    ]
    assert verdicts(QUESTION, BRIDGE, docs) == dict.fromkeys(
        ("multihop", "multimodal", "unique_answer", "no_answer_leak"), True
    )


def test_single_hop_question_is_rejected_by_multihop() -> None:
    docs = [
        text_doc("d0", "Kelvik", [("population", 120_000)]),
        cities_table("d1", [("Dastad", 9_000)]),
    ]
    program = {"op": "lookup", "start": "Kelvik", "steps": [], "attr": "population"}
    got = verdicts("What is the population of Kelvik?", program, docs)
    assert got["multihop"] is False and got["multimodal"] is False


def test_bridge_inside_one_document_is_rejected_by_multihop() -> None:
    docs = [
        Document(
            id="d0",
            title="Vorn Labs",
            parts=[
                *text_doc("x", "Vorn Labs", [("headquarters", "Kelvik")]).parts,
                *cities_table("x", [("Kelvik", 120_000)]).parts,
            ],
        ),
        text_doc("d1", "Dastad", [("founded", 1400)]),
    ]
    got = verdicts(QUESTION, BRIDGE, docs)
    assert got["multihop"] is False
    assert got["multimodal"] is True  # two modalities, but one document


def test_text_only_question_is_rejected_by_multimodal() -> None:
    docs = [
        text_doc("d0", "Vorn Labs", [("headquarters", "Kelvik")]),
        text_doc("d1", "Kelvik", [("population", 120_000)]),
        cities_table("d2", [("Dastad", 9_000)]),
    ]
    got = verdicts(QUESTION, BRIDGE, docs)
    assert got["multihop"] is True
    assert got["multimodal"] is False


def test_redundant_fact_in_another_modality_is_rejected_by_multimodal() -> None:
    # the table answers the second hop, but the text states it too: text alone suffices
    docs = [
        text_doc("d0", "Vorn Labs", [("headquarters", "Kelvik")]),
        text_doc("d1", "Kelvik", [("population", 120_000)]),
        cities_table("d2", [("Kelvik", 120_000)]),
    ]
    assert verdicts(QUESTION, BRIDGE, docs)["multimodal"] is False


def test_conflicting_documents_fail_unique_answer() -> None:
    docs = [
        text_doc("d0", "Vorn Labs", [("headquarters", "Kelvik")]),
        cities_table("d1", [("Kelvik", 120_000)]),
        text_doc("d2", "Vorn Labs Ltd", [("population", 5)]),
        Document(
            id="d3",
            title="Companies",
            parts=[
                TablePart(
                    caption="Companies",
                    header=["Company", "Headquarters"],
                    columns=["name", "headquarters"],
                    rows=[["Vorn Labs", "Dastad"]],
                )
            ],
        ),
        cities_table("d4", [("Dastad", 9_000)]),
    ]
    assert verdicts(QUESTION, BRIDGE, docs)["unique_answer"] is False


def test_leak_check() -> None:
    assert leaks("Which company, Vorn Labs or Kel, is older?", "Vorn Labs")
    assert leaks("How many of the 1,200 items?", "1200")
    assert not leaks("How many companies have more than 2,000 employees?", "2")
    assert not leaks("What is the population of Kelvikstad?", "Kelvik")
