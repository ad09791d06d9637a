"""An independent reader of multihop records: re-derives the answer of a record's program from
its documents' structured content (text facts, table cells, scene objects, chart bars) or from
any subset of its parts, checks each hop's evidence, and checks that the question's wording
says what the program computes. Imports nothing from the recipe (a second implementation)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from synthgen.records import media_of

YEARS_OR_COUNTS = {"population", "employees", "founded", "born", "year"}

Keep = Callable[[str, dict[str, Any]], bool]
"""Which parts a reader sees: keep(document id, part)."""


class Unanswerable(Exception):
    """The parts given do not state a fact the program needs."""


def _num(text: str) -> int:
    return int(text.replace(",", ""))


def program(record: dict[str, Any]) -> dict[str, Any]:
    """The record's program: canonical JSON text in the record (a dict only if built by hand)."""
    prog = record["program"]
    return json.loads(prog) if isinstance(prog, str) else prog


def _json(value: Any) -> list:
    """A list the record writes as JSON text (schema 5: a part's facts, header, columns,
    rows, objects and bars, a hop's regions; ``""``: none), or the list itself (a record
    built by hand)."""
    if isinstance(value, str):
        return json.loads(value) if value else []
    return value or []


def modality(part: dict[str, Any]) -> str:
    return part["type"]


def facts(documents: list[dict[str, Any]], keep: Keep) -> tuple[dict, dict]:
    """(subject, predicate) -> set of values; company -> list of scene objects."""
    table: dict[tuple[str, str], set] = {}
    scenes: dict[str, list[dict]] = {}
    for doc in documents:
        for part in doc["parts"]:
            if not keep(doc["id"], part):
                continue
            if part["type"] == "text":
                for f in _json(part.get("facts")):
                    value = _num(f["value"]) if f["predicate"] in YEARS_OR_COUNTS else f["value"]
                    table.setdefault((f["subject"], f["predicate"]), set()).add(value)
            elif part["type"] == "table":
                cols = _json(part["columns"])
                name = cols.index("name")
                for row in _json(part["rows"]):
                    for col, cell in zip(cols, row, strict=True):
                        if col == "name" or cell == "n/a":
                            continue
                        value = _num(cell) if col in YEARS_OR_COUNTS else cell
                        table.setdefault((row[name], col), set()).add(value)
            elif part.get("kind") == "scene":
                scenes[part["entity"]] = _json(part["objects"])
            elif part.get("kind") == "chart":
                for bar in _json(part["bars"]):
                    table.setdefault((bar["label"], part["attribute"]), set()).add(bar["value"])
    return table, scenes


def _one(values: set) -> Any:
    if not values:
        raise Unanswerable
    assert len(values) == 1, values  # documents never contradict each other
    return next(iter(values))


def answer(record: dict[str, Any], keep: Keep = lambda _doc, _part: True) -> str:
    """The answer of ``record["program"]`` read from the kept parts of its documents; raises
    :class:`Unanswerable` when they do not suffice."""
    kb, scenes = facts(record["documents"], keep)
    prog = program(record)

    def get(subject: str, predicate: str) -> Any:
        return _one(kb.get((subject, predicate), set()))

    def walk(start: str, steps: list[dict]) -> str:
        cur = start
        for step in steps:
            if step.get("inverse"):
                cur = _one({s for (s, p), vs in kb.items() if p == step["rel"] and cur in vs})
            else:
                cur = get(cur, step["rel"])
        return cur

    def count(company: str, where: dict) -> int:
        if company not in scenes:
            raise Unanswerable
        return sum(_matches(o, where) for o in scenes[company])

    def members(conds: list[dict]) -> list[str]:
        first = conds[0]
        out = []
        subjects = sorted(
            s for (s, p), vs in kb.items() if p == first["rel"] and first["value"] in vs
        )
        if not subjects:
            raise Unanswerable
        for s in subjects:
            ok = True
            for c in conds[1:]:
                if "has_item" in c:
                    ok &= count(s, c["has_item"]) > 0
                elif "gt" in c:
                    ok &= get(s, c["attr"]) > c["gt"]
                else:
                    ok &= get(s, c["attr"]) < c["lt"]
            if ok:
                out.append(s)
        return out

    op = prog["op"]
    if op == "lookup":
        value = get(walk(prog["start"], prog["steps"]), prog["attr"])
        return f"{value:,}" if prog["attr"] in ("population", "employees") else str(value)
    if op == "count_items":
        return str(count(walk(prog["start"], prog["steps"]), prog["where"]))
    if op == "compare":
        ents = [walk(i["start"], i["steps"]) for i in prog["items"]]
        vals = [get(e, prog["attr"]) for e in ents]
        assert vals[0] != vals[1]
        pick = max if prog["goal"] == "max" else min
        return ents[vals.index(pick(vals))]
    if op == "intersect":
        found = members(prog["conditions"])
        assert len(found) == 1, found
        return found[0]
    if op == "count_entities":
        return str(len(members(prog["conditions"])))
    if op == "sum_items":
        return str(sum(count(c, prog["where"]) for c in members(prog["conditions"])))
    if op == "year_diff":
        a = get(walk(prog["from"]["start"], prog["from"]["steps"]), prog["from"]["attr"])
        b = get(walk(prog["to"]["start"], prog["to"]["steps"]), prog["to"]["attr"])
        return str(b - a)
    raise AssertionError(f"unknown op {op}")


def answer_or_none(record: dict[str, Any], keep: Keep) -> str | None:
    try:
        return answer(record, keep)
    except Unanswerable:
        return None


def check_needs_every_document_and_modality(record: dict[str, Any]) -> None:
    """No single document, no single modality, and no pool without one of the chain's
    modalities gives the record's answer (FM2DS's multihop and multimodal conditions)."""
    gold = record["answer"]
    for doc in record["documents"]:
        alone = answer_or_none(record, lambda d, _p, doc=doc["id"]: d == doc)
        assert alone != gold, (record["id"], "document alone", doc["id"])
    pool = {modality(p) for d in record["documents"] for p in d["parts"]}
    for m in pool:
        assert answer_or_none(record, lambda _d, p, m=m: modality(p) == m) != gold, (m, "alone")
    for m in {h["modality"] for h in record["chain"]}:
        assert answer_or_none(record, lambda _d, p, m=m: modality(p) != m) != gold, (m, "without")


# what the question must say, per program shape (a second reading of the templates' intent)
GOAL_WORDS = {
    ("population", "max"): ("more populous",),
    ("born", "min"): ("older", "born first"),
    ("employees", "max"): ("more employees",),
    ("founded", "min"): ("founded earlier",),
}
LINKS = {
    ("headquarters", False): ("headquarter", "head office"),
    ("organiser", False): ("organiser", "organised"),
    ("ceo", False): ("chief executive", "head of"),
    ("ceo", True): ("led by", "whose chief executive is"),
    ("born_in", False): ("born",),
}
ATTR_WORDS = {
    "population": ("population", "how many people live"),
    "founded": ("founded",),
    "employees": ("employees", "workforce"),
    "born": ("born",),
}


def _says(question: str, options: tuple[str, ...], what: str) -> None:
    assert any(o in question for o in options), (question, what, options)


def _names(question: str, name: str) -> None:
    assert re.search(rf"(?<!\w){re.escape(name)}(?!\w)", question), (question, name)


def check_question(record: dict[str, Any]) -> None:
    """The question names the program's entities and says what the program computes."""
    q, prog = record["question"], program(record)
    lower = q.lower()
    op = prog["op"]
    walks = []
    if op in ("lookup", "count_items"):
        walks = [prog]
    elif op == "compare":
        walks = prog["items"]
        _says(lower, GOAL_WORDS[(prog["attr"], prog["goal"])], "comparison direction")
    elif op == "year_diff":
        walks = [prog["from"], prog["to"]]
        _says(lower, ("how many years after",), "a year difference")
    for w in walks:
        _names(q, w["start"])
        for step in w["steps"]:
            _says(lower, LINKS[(step["rel"], bool(step.get("inverse")))], step["rel"])
    if op == "lookup":
        _says(lower, ATTR_WORDS[prog["attr"]], prog["attr"])
    if op in ("count_items", "sum_items", "count_entities"):
        _says(lower, ("how many",), "a count")
    where = prog.get("where") or {}
    for c in prog.get("conditions", []):
        if "rel" in c:
            _names(q, c["value"])
            _says(lower, LINKS[(c["rel"], False)], c["rel"])
        elif "has_item" in c:
            where = c["has_item"]
        elif "gt" in c:
            _says(lower, (f"more than {c['gt']:,} {c['attr']}",), "threshold")
        else:
            _says(lower, (f"{c['attr']} before {c['lt']}",), "threshold")
    for key in ("color", "shape"):
        if key in where:
            stem = where[key][:-2] if where[key].endswith("us") else where[key]
            _says(lower, (stem,), key)


def _item_filter(program: dict[str, Any]) -> dict[str, str]:
    for c in program.get("conditions", []):
        if "has_item" in c:
            return c["has_item"]
    return program["where"]


def _matches(obj: dict[str, Any], where: dict[str, str]) -> bool:
    return all(obj[k] == v for k, v in where.items())


def check_evidence(record: dict[str, Any]) -> None:
    """Every hop points at a part of its document that states what the hop says."""
    docs = {d["id"]: d for d in record["documents"]}
    for hop in record["chain"]:
        part = docs[hop["doc"]]["parts"][hop["part"]]
        assert part["type"] == hop["modality"], hop
        if hop["modality"] == "text":
            a, b = hop["span"]
            value = hop["value"]
            assert isinstance(value, str), hop  # one JSON type for every hop value
            shown = f"{_num(value):,}" if hop["predicate"] in ("population", "employees") else value
            assert shown in part["text"][a:b], (hop, part["text"][a:b])
            assert part["text"][a:b].endswith("."), part["text"][a:b]  # whole sentences
        elif hop["modality"] == "table":
            r, c = hop["cell"]
            rows = _json(part["rows"])
            cell = rows[r][c]
            columns = _json(part["columns"])
            assert columns[c] == hop["predicate"]
            assert rows[r][columns.index("name")] == hop["subject"]
            assert cell.replace(",", "") == str(hop["value"]), (cell, hop)
        else:
            media = media_of(record)[part["media"]]
            regions = _json(hop["regions"])
            for x, y, w, h in regions:
                assert x >= 0 and y >= 0 and w > 0 and h > 0
                assert x + w <= media["width"] and y + h <= media["height"]
            if part["kind"] == "scene":  # the boxes of exactly the items the filter selects
                where = _item_filter(program(record))
                boxes = [o["bbox"] for o in _json(part["objects"]) if _matches(o, where)]
                assert hop["subject"] == part["entity"]
                assert hop["value"] == str(len(regions))
                assert len(regions) == len(boxes)
                assert sorted(map(list, regions)) == sorted(map(list, boxes)), (hop, boxes)
            else:
                bar = next(b for b in _json(part["bars"]) if b["label"] == hop["subject"])
                assert str(bar["value"]) == hop["value"] and [list(bar["bbox"])] == [
                    list(r) for r in regions
                ]
