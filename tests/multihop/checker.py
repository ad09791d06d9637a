"""An independent reader of multihop records: re-derives the answer of a record's program from
its documents' structured content (text facts, table cells, scene objects, chart bars) and
checks each hop's evidence. Imports nothing from the recipe (a second implementation)."""

from __future__ import annotations

from typing import Any

YEARS_OR_COUNTS = {"population", "employees", "founded", "born", "year"}


def _num(text: str) -> int:
    return int(text.replace(",", ""))


def facts(documents: list[dict[str, Any]]) -> tuple[dict, dict]:
    """(subject, predicate) -> set of values; company -> list of scene objects (None: unseen)."""
    table: dict[tuple[str, str], set] = {}
    scenes: dict[str, list[dict]] = {}
    for doc in documents:
        for part in doc["parts"]:
            if part["type"] == "text":
                for f in part.get("facts", []):
                    table.setdefault((f["subject"], f["predicate"]), set()).add(f["value"])
            elif part["type"] == "table":
                cols = part["columns"]
                name = cols.index("name")
                for row in part["rows"]:
                    for col, cell in zip(cols, row, strict=True):
                        if col == "name" or cell == "n/a":
                            continue
                        value = _num(cell) if col in YEARS_OR_COUNTS else cell
                        table.setdefault((row[name], col), set()).add(value)
            elif part.get("kind") == "scene":
                scenes[part["entity"]] = part["objects"]
            elif part.get("kind") == "chart":
                for bar in part["bars"]:
                    table.setdefault((bar["label"], part["attribute"]), set()).add(bar["value"])
    return table, scenes


def _one(values: set) -> Any:
    assert len(values) == 1, values
    return next(iter(values))


def answer(record: dict[str, Any]) -> str:
    """The answer of ``record["program"]`` read from ``record["documents"]``."""
    kb, scenes = facts(record["documents"])
    prog = record["program"]

    def walk(start: str, steps: list[dict]) -> str:
        cur = start
        for step in steps:
            if step.get("inverse"):
                subs = [s for (s, p), vs in kb.items() if p == step["rel"] and cur in vs]
                cur = _one(set(subs))
            else:
                cur = _one(kb[(cur, step["rel"])])
        return cur

    def count(company: str, where: dict) -> int:
        return sum(all(o[k] == v for k, v in where.items()) for o in scenes[company])

    def members(conds: list[dict]) -> list[str]:
        first = conds[0]
        out = []
        for (s, p), vs in sorted(kb.items()):
            if p != first["rel"] or first["value"] not in vs:
                continue
            ok = True
            for c in conds[1:]:
                if "has_item" in c:
                    ok &= count(s, c["has_item"]) > 0
                elif "gt" in c:
                    ok &= _one(kb[(s, c["attr"])]) > c["gt"]
                else:
                    ok &= _one(kb[(s, c["attr"])]) < c["lt"]
            if ok:
                out.append(s)
        return out

    op = prog["op"]
    if op == "lookup":
        value = _one(kb[(walk(prog["start"], prog["steps"]), prog["attr"])])
        return f"{value:,}" if prog["attr"] in ("population", "employees") else str(value)
    if op == "count_items":
        return str(count(walk(prog["start"], prog["steps"]), prog["where"]))
    if op == "compare":
        ents = [walk(i["start"], i["steps"]) for i in prog["items"]]
        vals = [_one(kb[(e, prog["attr"])]) for e in ents]
        assert vals[0] != vals[1]
        pick = max if prog["goal"] == "max" else min
        return ents[vals.index(pick(vals))]
    if op == "intersect":
        return _one(set(members(prog["conditions"])))
    if op == "count_entities":
        return str(len(members(prog["conditions"])))
    if op == "sum_items":
        return str(sum(count(c, prog["where"]) for c in members(prog["conditions"])))
    if op == "year_diff":
        a = _one(kb[(walk(prog["from"]["start"], prog["from"]["steps"]), prog["from"]["attr"])])
        b = _one(kb[(walk(prog["to"]["start"], prog["to"]["steps"]), prog["to"]["attr"])])
        return str(b - a)
    raise AssertionError(f"unknown op {op}")


def check_evidence(record: dict[str, Any]) -> None:
    """Every hop points at a part of its document that states what the hop says."""
    docs = {d["id"]: d for d in record["documents"]}
    for hop in record["chain"]:
        part = docs[hop["doc"]]["parts"][hop["part"]]
        assert part["type"] == hop["modality"], hop
        if hop["modality"] == "text":
            a, b = hop["span"]
            value = hop["value"]
            shown = f"{value:,}" if hop["predicate"] in ("population", "employees") else str(value)
            assert shown in part["text"][a:b], (hop, part["text"][a:b])
        elif hop["modality"] == "table":
            r, c = hop["cell"]
            cell = part["rows"][r][c]
            assert part["columns"][c] == hop["predicate"]
            assert part["rows"][r][part["columns"].index("name")] == hop["subject"]
            assert cell.replace(",", "") == str(hop["value"]), (cell, hop)
        else:
            media = record["media"][part["media"]]
            for x, y, w, h in hop["regions"]:
                assert x >= 0 and y >= 0 and w > 0 and h > 0
                assert x + w <= media["width"] and y + h <= media["height"]
            if part["kind"] == "scene":
                assert hop["value"] == len(hop["regions"])
                assert {tuple(o["bbox"]) for o in part["objects"]} >= set(
                    map(tuple, hop["regions"])
                )
            else:
                bar = next(b for b in part["bars"] if b["label"] == hop["subject"])
                assert bar["value"] == hop["value"] and [list(bar["bbox"])] == [
                    list(r) for r in hop["regions"]
                ]
