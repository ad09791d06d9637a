"""imgdiff procedural recipe: boxes agree with pixels, every change kind with captions that
name the right objects, which-image answers checked on the scene graphs, determinism,
bad config, two-image LLaVA export."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import synthgen
from synthgen.generators.imgdiff.changes import CHANGE_KINDS
from synthgen.world import WorldConfig
from synthgen.world.vocab import COLORS, MATERIALS, SIZES
from tests.helpers import dataset_bytes, run_cli

SMALL = {"world": {"max_objects": 6}}


def _records(config: dict[str, Any], n: int, seed: int = 0) -> list[Any]:
    return list(synthgen.generate("imgdiff", n=n, seed=seed, config=config))


def _pixels(record: Any, name: str) -> np.ndarray:
    return np.asarray(record.media_objects[name].convert("RGB")).astype(np.int16)


def test_pixel_difference_agrees_with_the_graph_boxes_for_every_kept_pair() -> None:
    """Without shadows every differing pixel must lie in a change box, and per change the box
    of its differing pixels (plain numpy here, no components) overlaps it with IoU >= 0.5;
    each change box is the union of the object's boxes in the two exact scene graphs."""
    config = {
        "world": {"max_objects": 6, "shadows": False},
        "changes": [1, 3],
        "scene_graphs": True,
    }
    records = _records(config, 40, seed=3)
    assert len(records) == 40
    for rec in records:
        a, b = _pixels(rec, "image_0"), _pixels(rec, "image_1")
        diff = (np.abs(a - b) > 16).any(axis=2)
        inside = np.zeros_like(diff)
        graph_a, graph_b = rec.scene_graphs
        for ch in rec.changes:
            boxes = []
            if ch.before is not None:
                boxes.append(graph_a.objects[ch.before.id - 1].bbox)
            if ch.after is not None:
                boxes.append(graph_b.objects[ch.after.id - 1].bbox)
            x0 = min(x for x, _, _, _ in boxes)
            y0 = min(y for _, y, _, _ in boxes)
            x1 = max(x + w for x, _, w, _ in boxes)
            y1 = max(y + h for _, y, _, h in boxes)
            assert tuple(ch.box) == (x0, y0, x1 - x0, y1 - y0)
            inside[y0:y1, x0:x1] = True
        assert not (diff & ~inside).any(), rec.id
        for ch in rec.changes:
            x, y, w, h = ch.box
            ys, xs = np.nonzero(diff[y : y + h, x : x + w])
            assert len(ys) >= 320 * 240 / 400
            px = (xs.min() + x, ys.min() + y, xs.max() + x, ys.max() + y)
            inter = (px[2] - px[0] + 1) * (px[3] - px[1] + 1)  # px lies inside the box
            assert inter / (w * h) >= 0.5, (rec.id, ch.kind)
        v = {v.filter: v for v in rec.lineage.verdicts}["diff_area"]
        assert v.passed and v.score >= 0.5 and v.threshold == 0.5


def test_with_shadows_the_only_differences_outside_the_boxes_are_near_objects() -> None:
    """Shadows change background pixels next to a changed object; nowhere else may differ:
    outside the change boxes, every differing pixel lies within one box-size of a box."""
    records = _records(SMALL, 20, seed=5)
    for rec in records:
        a, b = _pixels(rec, "image_0"), _pixels(rec, "image_1")
        diff = (np.abs(a - b) > 16).any(axis=2)
        near = np.zeros_like(diff)
        for ch in rec.changes:
            x, y, w, h = ch.box
            near[max(0, y - h) : y + 2 * h, max(0, x - w) : x + 2 * w] = True
        assert not (diff & ~near).any(), rec.id


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def _check_change(ch: Any, graph_a: Any = None) -> None:
    """The change list is self-consistent and its captions name the right things."""
    before, after = ch.before, ch.after
    keys = ("color", "material", "size")
    if ch.kind == "remove":
        assert before is not None and after is None
    elif ch.kind == "add":
        assert before is None and after is not None
    else:
        assert before is not None and after is not None
        changed = {k for k in keys if before.attributes[k] != after.attributes[k]}
        if before.name != after.name:
            changed.add("shape")
        expected = {
            "recolor": {"color"},
            "material": {"material"},
            "resize": {"size"},
            "move": set(),
        }.get(ch.kind)
        if expected is not None:
            assert changed == expected, ch
        else:  # replace: shape and/or color
            assert changed and changed <= {"shape", "color"}, ch
        moved = np.hypot(
            before.position[0] - after.position[0], before.position[1] - after.position[1]
        )
        assert (moved >= 1.0) if ch.kind == "move" else (moved == 0)
    for caption in ch.captions:
        words = _words(caption)
        if before is not None:
            assert before.name in words, (ch.kind, caption)
        if ch.kind in ("add", "replace"):
            assert {after.name, after.attributes["color"]} <= words, caption
            assert {after.attributes["size"], after.attributes["material"]} <= words, caption
        if ch.kind in ("recolor", "material", "resize"):
            key = {"recolor": "color", "material": "material", "resize": "size"}[ch.kind]
            assert {before.attributes[key], after.attributes[key]} <= words, caption
            old, new = before.attributes[key], after.attributes[key]
            orders = (
                f"from {old} to {new}",
                f"{new} instead of {old}",
                f"{old} in the first image, {new} in the second",
                f"was {old} and is now {new}",
            )
            assert any(o in caption for o in orders), caption  # old and new not swapped
        if ch.kind == "move":
            assert ch.direction and ch.direction in caption
        if before is not None and graph_a is not None:
            _check_refers_to(caption, before, graph_a)


def _check_refers_to(caption: str, obj: Any, graph: Any) -> None:
    """The caption's "the ... <shape>" phrase picks out exactly ``obj`` in its image."""
    attrs = "|".join([*COLORS, *MATERIALS, *SIZES])
    pattern = rf"\bthe ((?:(?:{attrs}) ){{0,3}}){obj.name}\b( on the| in the middle)?"
    match = re.search(pattern, caption.lower())
    if match is None:  # phrasings that give the full description instead
        a = obj.attributes
        assert f"{a['size']} {a['color']} {a['material']} {obj.name}" in caption, caption
        return
    if match.group(2):  # identical twins, told apart by position
        return
    said = set(match.group(1).split()) | {obj.name}
    hits = [o.id for o in graph.objects if said <= {o.name, *o.attributes.values()}]
    assert hits == [obj.id], (caption, said, hits)


@pytest.mark.parametrize("kind", CHANGE_KINDS)
def test_each_change_kind_is_made_and_its_captions_name_the_right_objects(kind: str) -> None:
    records = _records({**SMALL, "kinds": [kind], "changes": 1, "scene_graphs": True}, 6, seed=11)
    assert len(records) == 6
    for rec in records:
        assert [c.kind for c in rec.changes] == [kind]
        _check_change(rec.changes[0], rec.scene_graphs[0])
        graph_a, graph_b = rec.scene_graphs
        assert rec.captions == rec.changes[0].captions
        if kind in ("recolor", "material", "resize"):
            _check_names_without_the_changed_attribute(rec.changes[0], graph_a, kind)
        if kind == "move":
            ch = rec.changes[0]
            (xa, _), (xb, _) = (
                graph_a.objects[ch.before.id - 1].centroid,
                graph_b.objects[ch.after.id - 1].centroid,
            )
            if "left" in ch.direction.split(" and ")[0]:
                assert xb < xa
            if "right" in ch.direction.split(" and ")[0]:
                assert xb > xa
        for qa in rec.qa:
            if qa.kind == "which_image":
                _check_which_image(qa, graph_a, graph_b)


def _check_names_without_the_changed_attribute(ch: Any, graph_a: Any, kind: str) -> None:
    """ "The yellow cube changed color from yellow to blue" repeats itself: where the other
    attributes (with the shape) single the object out in image A, the caption's name for it
    leaves the changed one out."""
    key = {"recolor": "color", "material": "material", "resize": "size"}[kind]
    others = [k for k in ("size", "color", "material") if k != key]
    me = ch.before
    for n in range(len(others) + 1):
        for keys in itertools.combinations(others, n):
            said = {me.name, *(me.attributes[k] for k in keys)}
            hits = [o.id for o in graph_a.objects if said <= {o.name, *o.attributes.values()}]
            if hits == [me.id]:
                old = me.attributes[key]
                assert ch.captions[0].lower().count(old) == 1, (ch.captions[0], said)
                return


def _matches(phrase: str, obj: Any) -> bool:
    values = {obj.name, *obj.attributes.values()}
    return _words(phrase) - {"a", "an"} <= values


def _check_which_image(qa: Any, graph_a: Any, graph_b: Any) -> None:
    phrase = re.match(r"Which image contains (.*)\?", qa.question).group(1)
    in_a = sum(_matches(phrase, o) for o in graph_a.objects)
    in_b = sum(_matches(phrase, o) for o in graph_b.objects)
    assert (in_a > 0) != (in_b > 0), (phrase, in_a, in_b)
    assert qa.answer == qa.choices[0 if in_a else 1]


def test_multi_change_pairs_count_their_differences_and_answer_balance() -> None:
    records = _records({**SMALL, "changes": [1, 3], "scene_graphs": True}, 60, seed=2)
    counts = {len(r.changes) for r in records}
    assert counts == {1, 2, 3}
    answers = []
    for rec in records:
        for ch in rec.changes:
            _check_change(ch, rec.scene_graphs[0])
        for i, p in enumerate(rec.boxes):  # kept regions are apart: each is one change
            for q in rec.boxes[i + 1 :]:
                apart_x = p[0] + p[2] < q[0] or q[0] + q[2] < p[0]
                apart_y = p[1] + p[3] < q[1] or q[1] + q[3] < p[1]
                assert apart_x or apart_y, (rec.id, p, q)
        ids = [c.before.id for c in rec.changes if c.before is not None]
        assert len(ids) == len(set(ids))  # each change on its own object
        qa = {q.kind: q for q in rec.qa}
        assert qa["how_many"].answer == str(len(rec.changes))
        assert qa["where"].boxes and sorted(map(tuple, qa["where"].boxes)) == sorted(
            map(tuple, rec.boxes)
        )
        # one box convention everywhere: the answer states the record's [x, y, w, h] boxes
        assert "[x, y, w, h]" in qa["where"].question
        stated = [
            tuple(map(int, b))
            for b in re.findall(r"\[(\d+), (\d+), (\d+), (\d+)\]", qa["where"].answer)
        ]
        assert stated == [tuple(b) for b in qa["where"].boxes]
        if "which_image" in qa:
            _check_which_image(qa["which_image"], *rec.scene_graphs)
            answers.append(qa["which_image"].answer)
        turns = rec.conversations
        assert turns[0]["value"].count("<image>") == 2 and len(turns) == 2 * len(rec.qa)
    assert 0.3 < answers.count("the first image") / len(answers) < 0.7


def test_multi_change_regions_are_kept_apart_when_sampled(tmp_path: Path) -> None:
    """The sampler keeps the changes' screen regions apart, so no candidate is lost to
    overlapping changes; its screen boxes hold every pixel the renderer draws."""
    manifest = synthgen.make(
        "imgdiff",
        n=60,
        out=tmp_path / "ds",
        workers=1,
        seed=9,
        config={"world": "shapes", "changes": [2, 3]},
    )
    assert manifest.totals.accepted == 60
    assert "overlapping_changes" not in manifest.totals.rejects_by_reason
    assert manifest.totals.candidates < 75  # few rejects of any kind
    from synthgen.generators.imgdiff.changes import screen_box
    from synthgen.world.render import get_renderer
    from synthgen.world.scene import sample_rendered_scenes

    rngs = [np.random.default_rng(i) for i in range(40)]
    for base in sample_rendered_scenes(rngs, WorldConfig(), get_renderer("pillow")):
        if isinstance(base, Exception):
            continue
        scene, ren = base
        stats = ren.visible_stats()
        for k, obj in enumerate(scene.objects):
            x0, y0, x1, y1 = screen_box(scene.stage.camera, obj)
            if stats.counts[k]:
                bx, by, bw, bh = stats.bboxes[k].tolist()
                assert x0 <= bx and y0 <= by and bx + bw - 1 <= x1 and by + bh - 1 <= y1
            ids = np.argwhere(_drawn_alone(scene, k))
            assert x0 <= ids[:, 1].min() and ids[:, 1].max() <= x1
            assert y0 <= ids[:, 0].min() and ids[:, 0].max() <= y1


def _drawn_alone(scene: Any, k: int) -> np.ndarray:
    """Where object k alone is drawn (its whole silhouette: nothing hides it)."""
    from dataclasses import replace

    from synthgen.world.render import get_renderer

    alone = replace(scene, objects=(scene.objects[k],))
    return get_renderer("pillow").render(alone).ids == 1


def test_same_bytes_with_one_and_two_workers(tmp_path: Path) -> None:
    config = {**SMALL, "changes": [1, 2]}
    one = synthgen.make(
        "imgdiff", n=50, out=tmp_path / "one", workers=1, shard_size=20, seed=4, config=config
    )
    two = synthgen.make(
        "imgdiff", n=50, out=tmp_path / "two", workers=2, shard_size=20, seed=4, config=config
    )
    assert one.totals.accepted == two.totals.accepted == 50
    assert dataset_bytes(tmp_path / "one") == dataset_bytes(tmp_path / "two")
    # one candidate alone (batch of one) gives the record the batch gave
    rec = json.loads((tmp_path / "one" / "data" / "shard-00001.jsonl").read_text().splitlines()[3])
    from synthgen.engine import build_job
    from synthgen.produce import load_program, produce

    job = build_job("imgdiff", 50, "unused", seed=4, config=config)
    alone = produce(job, rec["index"], program=load_program(job))
    assert json.loads(alone.record.model_dump_json())["captions"] == rec["captions"]
    assert alone.record.changes == [type(alone.record.changes[0])(**c) for c in rec["changes"]]


@pytest.mark.parametrize(
    ("setting", "field"),
    [("changes=5", "changes"), ('kinds=["explode"]', "kinds"), ("min_iou=2", "min_iou")],
)
def test_bad_config_is_one_line_exit_2(tmp_path: Path, setting: str, field: str) -> None:
    result = run_cli("make", "imgdiff", "--n", "2", "--out", str(tmp_path / "x"), "--set", setting)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]
    assert not (tmp_path / "x" / "data").exists()


def test_llava_export_has_two_images_per_conversation(tmp_path: Path) -> None:
    synthgen.make("imgdiff", n=4, out=tmp_path / "ds", workers=1, config=SMALL)
    out = tmp_path / "llava.json"
    result = run_cli("export", str(tmp_path / "ds"), "--to", "llava", str(out))
    assert result.returncode == 0, result.stderr
    items = json.loads(out.read_text())
    assert len(items) == 4
    for item in items:
        assert isinstance(item["image"], list) and len(item["image"]) == 2
        assert item["image"][0].endswith("image_0.png") and item["image"][1].endswith("image_1.png")
        for path in item["image"]:
            assert (out.parent / path).is_file()  # paths are relative to the JSON file
        human = [t["value"] for t in item["conversations"] if t["from"] == "human"]
        assert human[0].startswith("<image>\n<image>\n")
        assert sum(h.count("<image>") for h in human) == 2


def test_a_single_number_of_changes_and_parquet_export(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    synthgen.make("imgdiff", n=3, out=tmp_path / "ds", workers=1, config={**SMALL, "changes": 2})
    out = tmp_path / "x.parquet"
    result = run_cli("export", str(tmp_path / "ds"), "--to", "parquet", str(out))
    assert result.returncode == 0, result.stderr
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == 3
    for row in rows:
        assert len(row["images"]) == 2 and all(
            im["bytes"][:4] == b"\x89PNG" for im in row["images"]
        )
        meta = json.loads(row["metadata"])
        assert len(meta["changes"]) == 2
        assert row["conversations"][0]["value"].count("<image>") == 2
