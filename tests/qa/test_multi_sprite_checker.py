"""svg_multi on the sprite world, checked by an independent re-derivation (issue #15).

Every multi-image answer is recomputed from what the record holds: each image's world graph
(read by ``tests/qa/checker.py``'s ``sprite_graph``: names, category words from the atlas,
roles, colours, placed relations) and ``physical_ids``. Nothing is imported from the QA
package. The rules re-derived here, from the spec (programs.py, the issue's finding 1):

- a word denotes the objects it names (``says``: a thing's names and its category's words);
  "which image has an X" has exactly one image with (or, "no X", without) one;
- "in which image is the A <pred> the B" names one A and one B in every image (presence
  never decides it), and the relation is one a placement rule made (``placed``), of a
  predicate no image states by geometry or gaze (whose absence would say nothing);
- totals over related images (one place at different times) count physical objects;
  independent records never share a physical object;
- related records say so in every question; no question compares an object with itself.

``SYNTHGEN_SLOW=1`` checks 1,200 records (600 related, 600 independent) instead of 60.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import synthgen
from tests.helpers import dataset_bytes
from tests.qa.checker import (
    Disagreement,
    Graph,
    Obj,
    expect,
    fits,
    program,
    said,
    sprite_graph,
    stored_choices,
)

N = 600 if os.environ.get("SYNTHGEN_SLOW") else 30
PLACE_NOTE = (
    "The images show one place at different times; between them some things were removed, "
    "moved or replaced. "
)
ORDER = ("size", "color", "material")
MULTI_OPS = {
    "image_select", "image_extreme", "common_objects", "common_attributes", "total_count",
    "relation_diff", "attribute_diff",
}  # fmt: skip


def _name(i: int) -> str:
    return f"Image {i + 1}"


def _all(g: Graph, desc: dict[str, Any]) -> list[Obj]:
    """Every object a description fits (things, backdrop pieces and parts alike: a word that
    also names a piece of the backdrop counts it, so a question about it would disagree)."""
    return [o for o in g.objects if fits(o, desc)]


def _one(g: Graph, desc: dict[str, Any]) -> Obj:
    found = _all(g, desc)
    if len(found) != 1:
        raise Disagreement(f"{desc} selects {len(found)} objects in an image")
    if found[0].role != "thing":
        raise Disagreement(f"{desc} is a {found[0].role}, not a thing")
    return found[0]


def _placed_between(g: Graph, s: Obj, o: Obj) -> list[str]:
    return sorted(p for a, p, b in g.placed if a == s.id and b == o.id)


def _geometric(graphs: list[Graph]) -> set[str]:
    """Predicates some image states by geometry or gaze (not by a placement rule)."""
    return {p for g in graphs for t in g.rel - g.placed for p in [t[1]]}


def check_open_many(qa: dict[str, Any], graphs: list[Graph], related: bool) -> None:
    """Recompute one svg_multi sprite QA from the images' graphs; raise Disagreement."""
    p = program(qa)
    op, ans, n = p["op"], qa["answer"], len(graphs)
    if related != qa["question"].startswith(PLACE_NOTE):
        raise Disagreement("related records say so in every question, others never")
    if "options" in p:
        expect(", ".join(p["options"]), ", ".join(_name(i) for i in range(n)), "options")
    choices = stored_choices(qa)
    if choices is not None and (
        choices[qa["answer_index"]] != ans or len(set(choices)) != len(choices)
    ):
        raise Disagreement("choices do not hold the answer once")
    if op == "image_select":
        cond = p["cond"]
        if "has" in cond:
            states = [bool(_all(g, cond["has"])) for g in graphs]
        else:
            r = cond["relation"]
            if r["pred"] in _geometric(graphs):
                raise Disagreement(f"{r['pred']!r} is stated by geometry: absence says nothing")
            states = [
                r["pred"] in _placed_between(g, _one(g, r["subject"]), _one(g, r["object"]))
                for g in graphs
            ]
        if states.count(p["want"]) != 1:
            raise Disagreement(f"{states.count(p['want'])} images fit {cond}")
        expect(ans, _name(states.index(p["want"])), "image_select")
    elif op == "image_extreme":
        counts = [len(_all(g, p["select"])) for g in graphs]
        best = max(counts) if p["most"] == "max" else min(counts)
        if counts.count(best) != 1:
            raise Disagreement(f"no unique extreme in {counts}")
        expect(ans, _name(counts.index(best)), "image_extreme")
    elif op == "common_objects":
        names = {o.name for g in graphs for o in g.objects if o.role == "thing"}
        common = sorted(x for x in names if all(_all(g, {"name": x}) for g in graphs))
        expect(ans, ", ".join(common), "common_objects")
    elif op == "common_attributes":
        if related:
            raise Disagreement("related images: an object compared with itself")
        objs = [_one(g, {"name": p["name"]}) for g in graphs]
        shared = [
            objs[0].attrs[k]
            for k in ORDER
            if all(k in o.attrs and o.attrs[k] == objs[0].attrs[k] for o in objs)
        ]
        expect(ans, ", ".join(shared), "common_attributes")
    elif op == "total_count":
        found = [(i, o) for i, g in enumerate(graphs) for o in _all(g, p["select"])]
        if related:
            if not p.get("physical") or p["select"]["attrs"]:
                raise Disagreement("related totals count physical objects, by name only")
            total = len({graphs[i].extra["physical"][o.id] for i, o in found})
        else:
            total = len(found)
        expect(ans, str(total), "total_count")
    elif op == "relation_diff":
        sets = [_placed_between(g, _one(g, p["subject"]), _one(g, p["object"])) for g in graphs]
        if not all(sets) or all(x == sets[0] for x in sets):
            raise Disagreement("relations do not differ, or one is empty")
        text = "; ".join(f"{_name(i)}: {', '.join(said(x) for x in s)}" for i, s in enumerate(sets))
        expect(ans, text, "relation_diff")
    elif op == "attribute_diff":
        objs = [_one(g, {"name": p["name"]}) for g in graphs]
        differ = [k for k in ORDER if len({o.attrs.get(k) for o in objs}) > 1]
        if not differ or any(k not in o.attrs for o in objs for k in differ):
            raise Disagreement("attributes do not differ, or one is unknown")
        text = "; ".join(
            f"{_name(i)}: {', '.join(o.attrs[k] for k in differ)}" for i, o in enumerate(objs)
        )
        expect(ans, text, "attribute_diff")
    else:
        raise Disagreement(f"unknown multi-image op {op!r}")


def truth(record: dict[str, Any]) -> list[Graph]:
    """The checker's graphs of a sprite svg_multi record, with physical ids."""
    graphs = [sprite_graph(w) for w in record["world_graphs"]]
    for g, ids in zip(graphs, record["physical_ids"], strict=True):
        g.extra["physical"] = {o.id: p for o, p in zip(g.objects, ids, strict=True)}
    return graphs


def _make(views: str, n: int, seed: int = 0) -> list[dict[str, Any]]:
    config = {"world": "sprites", "views": views, "qa": {"per_image": 14}}
    made = synthgen.generate("svg_multi", n, config=config, seed=seed)
    return [json.loads(r.model_dump_json()) for r in made]


@pytest.fixture(scope="module")
def records() -> dict[str, list[dict[str, Any]]]:
    return {v: _make(v, N) for v in ("related", "independent")}


def test_checker_agrees_with_every_sprite_multi_answer(
    records: dict[str, list[dict[str, Any]]],
) -> None:
    kinds: Counter[str] = Counter()
    wrong = []
    for views, recs in records.items():
        for r in recs:
            assert r["views"] == views and "scene_graphs" not in r
            assert 2 <= len(r["world_graphs"]) <= 4
            graphs = truth(r)
            for qa in r["qa"]:
                try:
                    check_open_many(qa, graphs, views == "related")
                except Disagreement as e:
                    wrong.append((views, r["index"], qa["question"], qa["answer"], str(e)))
                kinds[f"{views}:{qa['kind']}"] += 1
    total = sum(kinds.values())
    n_records = sum(map(len, records.values()))
    print(f"\nchecked {total} QA of {n_records} records: {len(wrong)} disagree")
    for k, v in sorted(kinds.items()):
        print(f"  {k:45s} {v}")
    assert not wrong, wrong[:10]
    # the kinds every record set of this size asks (relation kinds are rarer: both things in
    # every image, a placed relation that differs; "which image has the most" has a unique
    # answer in independent scenes, hardly ever in views of one place where one or two
    # things change: 1 in 30 related records at stop 25, 0 after stop 26's atlas re-pack)
    for views in ("related", "independent"):
        asked = {k.split(":")[1] for k in kinds if k.startswith(views)}
        assert {"multi_object_select", "multi_total_count"} <= asked, asked
    assert "independent:multi_most_select" in kinds, kinds
    assert total >= 3 * n_records


def test_related_totals_count_things_once_and_independent_scenes_share_none(
    records: dict[str, list[dict[str, Any]]],
) -> None:
    """Finding 1 on sprites: a thing kept between images is one physical object (its id
    recurs), a replaced one another; independent scenes have no object in common."""
    recurring = 0
    for r in records["related"]:
        ids = [set(x) for x in r["physical_ids"]]
        recurring += len(set.intersection(*ids))
        graphs = truth(r)
        for qa in r["qa"]:
            p = program(qa)
            if p["op"] == "total_count":
                per_image = sum(len(_all(g, p["select"])) for g in graphs)
                assert int(qa["answer"]) <= per_image
    assert recurring > 0
    for r in records["independent"]:
        ids = [p for image in r["physical_ids"] for p in image]
        assert len(ids) == len(set(ids))


def _wrong(qa: dict[str, Any]) -> str:
    a = qa["answer"]
    if qa["answer_type"] == "count":
        return str(int(a) + 1)
    if qa["answer_type"] == "image":
        return "Image 1" if a != "Image 1" else "Image 2"
    return a + ", x"


def test_the_checker_catches_wrong_answers(records: dict[str, list[dict[str, Any]]]) -> None:
    caught = 0
    for views, recs in records.items():
        for r in recs[:10]:
            graphs = truth(r)
            for qa in r["qa"]:
                bad = {**qa, "answer": _wrong(qa), "choices": None}
                with pytest.raises(Disagreement):
                    check_open_many(bad, graphs, views == "related")
                caught += 1
    assert caught > 20


def test_same_bytes_for_the_same_seed_and_another_for_another() -> None:
    a, b, c = _make("related", 3, 5), _make("related", 3, 5), _make("related", 3, 6)
    assert a == b and a != c


def test_same_bytes_whatever_the_worker_count(tmp_path: Path) -> None:
    config = {"world": "sprites", "qa": {"per_image": 6}}
    for workers in (1, 2):
        synthgen.make(
            "svg_multi", n=6, out=tmp_path / str(workers), workers=workers, shard_size=3,
            config=config,
        )  # fmt: skip
    assert dataset_bytes(tmp_path / "1") == dataset_bytes(tmp_path / "2")


def test_the_note_and_category_distractors() -> None:
    """Common-object lists offered as choices are other plausible lists (a name dropped, a
    name not in every image added, a name swapped for one of its kind), never the answer."""
    config = {
        "world": "sprites",
        "qa": {"per_image": 14, "multiple_choice_ratio": 1.0, "kinds": ["multi_common_objects"]},
    }
    seen = 0
    for r in synthgen.generate("svg_multi", 12, config=config, seed=3):
        for qa in r.qa:
            assert qa.question.startswith(PLACE_NOTE)
            if qa.choices:
                seen += 1
                assert qa.choices.count(qa.answer) == 1
                truth_set = set(qa.answer.split(", "))
                for c in qa.choices:
                    if c != qa.answer:
                        assert set(c.split(", ")) != truth_set
    assert seen >= 3
