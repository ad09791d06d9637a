"""Execute a question program over the facts that a set of document parts states.

This is the recipe's reader: :func:`facts_of` turns documents into facts with their evidence
(text spans, table cells, image regions) and :func:`evaluate` runs a program on the facts of
any subset of parts. The answer of a record is what it gives on the whole pool; the oracle
checks (``filters/multihop_checks.py``) call it on single documents and on the pool without
a modality. Semantics, closed over the parts given:

* a relation step follows every matching fact (several targets make several answers, i.e. an
  ambiguous question); a step with no fact makes the question unanswerable (no answer);
* conditions that enumerate entities (``{"rel", "value"}``) see only the stated facts; every
  further condition must be decidable for every candidate (its scene or attribute is given),
  else the question is unanswerable -- absence of a document is not evidence of absence.

``Outcome.answers`` is the set of answers: empty = unanswerable, one = answered, more =
ambiguous. ``Outcome.used`` lists the facts the evaluation read, in order (the chain).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from synthgen.generators.multihop.schema import Document, ImagePart, TablePart, TextPart
from synthgen.generators.multihop.world import PREDICATES, format_value

MISSING = "n/a"


@dataclass(frozen=True, eq=False)
class Fact:
    subject: str
    predicate: str
    value: Any
    part: int  # global part index (documents' parts in order)
    doc: str
    part_in_doc: int
    modality: str
    evidence: dict[str, Any]


def parse_value(predicate: str, text: str) -> str | int:
    """A table cell or a text fact's value as a fact value: years and counts as int
    (thousands separators dropped)."""
    if PREDICATES[predicate][1] in ("year", "count"):
        return int(text.replace(",", ""))
    return text


def facts_of(documents: Iterable[Document]) -> list[Fact]:
    """Every fact the parts state, with its evidence locator."""
    out: list[Fact] = []
    k = 0
    for doc in documents:
        for j, part in enumerate(doc.parts):
            common = {"part": k, "doc": doc.id, "part_in_doc": j, "modality": part.type}
            if isinstance(part, TextPart):
                for f in part.facts or ():
                    value = parse_value(f.predicate, f.value)  # years and counts as int
                    out.append(
                        Fact(f.subject, f.predicate, value, evidence={"span": f.span}, **common)
                    )
            elif isinstance(part, TablePart):
                key = part.columns.index("name")
                for r, row in enumerate(part.rows):
                    for c, (col, cell) in enumerate(zip(part.columns, row, strict=True)):
                        if c != key and cell != MISSING:
                            value = parse_value(col, cell)
                            out.append(
                                Fact(row[key], col, value, evidence={"cell": (r, c)}, **common)
                            )
            elif isinstance(part, ImagePart) and part.kind == "scene" and part.entity:
                out.append(Fact(part.entity, "line", True, evidence={"regions": []}, **common))
                for o in part.objects or ():
                    out.append(
                        Fact(part.entity, "item", o, evidence={"regions": [o.bbox]}, **common)
                    )
            elif isinstance(part, ImagePart) and part.kind == "chart" and part.attribute:
                for bar in part.bars or ():
                    out.append(
                        Fact(
                            bar.label,
                            part.attribute,
                            bar.value,
                            evidence={"regions": [bar.bbox]},
                            **common,
                        )
                    )
            k += 1
    return out


class KB:
    """Index of a subset of facts."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self.fwd: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        self.inv: dict[tuple[str, Any], list[Fact]] = defaultdict(list)
        for f in facts:
            self.fwd[(f.subject, f.predicate)].append(f)
            if f.predicate != "item":
                self.inv[(f.predicate, f.value)].append(f)


@dataclass
class Outcome:
    answers: frozenset[str]
    used: list[Fact] = field(default_factory=list)


class _Unanswerable(Exception):
    pass


class _Run:
    def __init__(self, kb: KB) -> None:
        self.kb = kb
        self.used: list[Fact] = []
        self._seen: set[int] = set()

    def use(self, facts: Iterable[Fact]) -> None:
        for f in facts:
            if id(f) not in self._seen:
                self._seen.add(id(f))
                self.used.append(f)

    def values(self, subject: str, predicate: str) -> list[Any]:
        found = self.kb.fwd.get((subject, predicate), [])
        if not found:
            raise _Unanswerable
        self.use(found)
        return sorted({f.value for f in found}, key=str)

    def walk(self, start: str, steps: list[dict[str, Any]]) -> list[str]:
        """Entities reached from ``start`` by the relation steps."""
        current = [start]
        for step in steps:
            nxt: set[str] = set()
            for entity in current:
                if step.get("inverse"):
                    found = self.kb.inv.get((step["rel"], entity), [])
                    if not found:
                        raise _Unanswerable
                    self.use(found)
                    nxt |= {f.subject for f in found}
                else:
                    nxt |= set(self.values(entity, step["rel"]))
            current = sorted(nxt)
        return current

    def items(self, entity: str, where: dict[str, str]) -> list[Fact]:
        line = self.kb.fwd.get((entity, "line"))
        if not line:
            raise _Unanswerable
        matches = [
            f
            for f in self.kb.fwd.get((entity, "item"), [])
            if all(getattr(f.value, k) == v for k, v in where.items())
        ]
        self.use(matches or line)
        return matches

    def holds(self, entity: str, cond: dict[str, Any]) -> bool:
        if "rel" in cond:
            return cond["value"] in self.values(entity, cond["rel"])
        if "has_item" in cond:
            return bool(self.items(entity, cond["has_item"]))
        values = self.values(entity, cond["attr"])
        if "gt" in cond:
            return any(v > cond["gt"] for v in values)
        return any(v < cond["lt"] for v in values)

    def candidates(self, conditions: list[dict[str, Any]]) -> list[str]:
        first, rest = conditions[0], conditions[1:]
        found = self.kb.inv.get((first["rel"], first["value"]), [])
        if not found:
            raise _Unanswerable
        self.use(found)
        out = []
        for entity in sorted({f.subject for f in found}):
            if all([self.holds(entity, c) for c in rest]):  # decide every condition
                out.append(entity)
        return out

    def run(self, program: dict[str, Any]) -> set[str]:
        op = program["op"]
        if op == "lookup":
            return {
                format_value(program["attr"], v)
                for e in self.walk(program["start"], program["steps"])
                for v in self.values(e, program["attr"])
            }
        if op == "count_items":
            return {
                str(len(self.items(e, program["where"])))
                for e in self.walk(program["start"], program["steps"])
            }
        if op == "compare":
            scored: list[tuple[Any, str]] = []
            for item in program["items"]:
                for e in self.walk(item["start"], item["steps"]):
                    scored.extend((v, e) for v in self.values(e, program["attr"]))
            best = (max if program["goal"] == "max" else min)(v for v, _ in scored)
            return {e for v, e in scored if v == best}
        if op == "intersect":
            return set(self.candidates(program["conditions"]))
        if op == "count_entities":
            return {str(len(self.candidates(program["conditions"])))}
        if op == "sum_items":
            total = sum(
                len(self.items(e, program["where"])) for e in self.candidates(program["conditions"])
            )
            return {str(total)}
        if op == "year_diff":
            ends = []
            for side in ("from", "to"):
                spec = program[side]
                ends.append(
                    [
                        v
                        for e in self.walk(spec["start"], spec["steps"])
                        for v in self.values(e, spec["attr"])
                    ]
                )
            return {str(b - a) for a in ends[0] for b in ends[1]}
        raise ValueError(f"unknown program op {op!r}")


def evaluate(program: dict[str, Any], facts: Iterable[Fact]) -> Outcome:
    """The answers of ``program`` over ``facts`` (see the module docstring)."""
    run = _Run(KB(facts))
    try:
        answers = run.run(program)
    except _Unanswerable:
        return Outcome(frozenset(), run.used)
    return Outcome(frozenset(answers), run.used)


def evaluate_parts(program: dict[str, Any], facts: list[Fact], parts: Collection[int]) -> Outcome:
    """:func:`evaluate` on the facts of the parts with these global indices only."""
    return evaluate(program, [f for f in facts if f.part in parts])
