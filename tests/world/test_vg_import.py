"""Importing real-world Visual Genome files (``source="vg:PATH"``): merged ids and dangling
relationships, bad boxes and names, broken files. Noise VG really has is repaired or left
out and counted in the manifest; a file that cannot be used is one line, exit 2, nothing
written (see synthgen/world/vg.py for the rules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import synthgen
from synthgen.cli import main
from synthgen.errors import UserError
from synthgen.world.vg import load_vg, load_vg_file
from tests.helpers import run_cli

QA = {"qa": {"per_image": 24}}


def _obj(oid: int, name: str, x: float, y: float, w: float, h: float, **extra: Any) -> dict:
    return {"object_id": oid, "x": x, "y": y, "w": w, "h": h, "names": [name], **extra}


def _rel(rid: int, subject: int, predicate: str, obj: int, **extra: Any) -> dict:
    return {"relationship_id": rid, "predicate": predicate, "subject_id": subject,
            "object_id": obj, **extra}


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def _records(root: Path) -> list[dict]:
    return [json.loads(line) for p in sorted((root / "data").glob("*.jsonl"))
            for line in p.read_text().splitlines()]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    return int(exited.value.code or 0), capsys.readouterr().err


def _realistic() -> list[dict]:
    """Two images as VG 1.2's scene_graphs.json writes them: no width/height, synsets,
    merged_object_ids naming ids that relationships still use, and a dangling edge."""
    man = _obj(1058549, "man", 421, 91, 79, 339, synsets=["man.n.01"],
               merged_object_ids=[5046, 5049], attributes=["standing", "white "])
    shirt = _obj(1058534, "shirt", 441, 130, 56, 90, synsets=["shirt.n.01"],
                 merged_object_ids=[], attributes=["red"])
    street = _obj(1058525, "street", 0, 300, 800, 299, synsets=["street.n.01"])
    sign = _obj(1058531, "sign", 116, 63, 131, 85, synsets=["sign.n.02"])
    first = {
        "image_id": 1,
        "objects": [man, shirt, street, sign],
        "relationships": [
            _rel(15927, 5046, "wearing", 1058534, synsets=["wear.v.01"]),   # merged subject
            _rel(15928, 1058549, "ON", 1058525, synsets=["along.r.01"]),
            _rel(15929, 1058531, "near", 3858089, synsets=[]),             # dangling object
            _rel(15930, 777, "behind", 1058549, synsets=[]),               # dangling subject
            _rel(15931, 5049, "wears", 1058534),                           # merged subject
        ],
    }
    tree = _obj(2, "tree", 10, 10, 50, 120, synsets=["tree.n.01"])
    second = {
        "image_id": 2,
        # VG 1.0 wrote "name", and relationships.json embeds whole objects
        "objects": [tree, {"object_id": 3, "x": 70, "y": 100, "w": 40, "h": 40, "name": "dog"}],
        "relationships": [
            {"relationship_id": 9, "predicate": "next to",
             "subject": {"object_id": 3, "name": "dog"}, "object": {"object_id": 2}},
            {"relationship_id": 10, "predicate": "under",
             "subject": {"object_id": 3}, "object": {"object_id": 404}},     # dangling
        ],
    }
    return [first, second]


def test_merged_ids_resolve_and_dangling_relations_are_skipped_and_counted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vg = _write(tmp_path / "scene_graphs.json", _realistic())
    code, err = _cli(capsys, "make", "svg", "--n", "2", "--out", str(tmp_path / "d"),
                     "--no-progress", "--set", f'source="vg:{vg}"', "--set", "qa.per_image=24")
    assert code == 0, err
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    counters = manifest["totals"]["counters"]
    assert counters["skipped_relations"] == 3
    assert counters["skipped_relations.dangling_id"] == 3
    assert counters["merged_ids_resolved"] == 2
    assert "skipped_relations.duplicate" not in counters  # "wears" is another edge
    first, second = (r["vg_graph"] for r in _records(tmp_path / "d"))
    triples = {(r["subject_id"], r["predicate"], r["object_id"]) for r in first["relationships"]}
    assert triples == {(1058549, "wearing", 1058534), (1058549, "ON", 1058525),
                       (1058549, "wears", 1058534)}
    assert [o["names"] for o in first["objects"]][:2] == [["man"], ["shirt"]]
    assert first["objects"][0]["attributes"] == ["standing", "white"]
    assert [o["names"] for o in second["objects"]] == [["tree"], ["dog"]]
    assert [(r["subject_id"], r["predicate"], r["object_id"])
            for r in second["relationships"]] == [(3, "next to", 2)]


def test_counts_belong_to_the_images_made_into_records(tmp_path: Path) -> None:
    vg = _write(tmp_path / "sg.json", _realistic())
    assert [dict(c) for c in load_vg_file(vg).counts] == [
        {"merged_ids_resolved": 2, "skipped_relations": 2, "skipped_relations.dangling_id": 2},
        {"skipped_relations": 1, "skipped_relations.dangling_id": 1},
    ]
    manifest = synthgen.make("svg", n=1, out=tmp_path / "d", workers=1,
                             config={"source": f"vg:{vg}"})
    assert manifest.totals.counters["skipped_relations"] == 2


def _noisy() -> list[dict]:
    """One 200x100 image with every kind of bad geometry and name."""
    objects = [
        _obj(1, "cat", 10, 10, 30, 30, attributes=["black"]),
        _obj(2, "table", 150, 60, 80, 60),                 # partly outside: clipped
        _obj(3, "lamp", -5, -8, 20, 30),                   # negative origin: clipped
        _obj(4, "unicorn", 300, 20, 10, 10),               # wholly outside: skipped
        _obj(5, "dragon", 1e30, 1e30, 5, 5),               # absurd coordinate: skipped
        _obj(6, "ghost", 20, 20, 0, 10),                   # zero width: skipped
        _obj(7, "phantom", 20, 20, 10, -4),                # negative height: skipped
        _obj(8, "   ", 50, 50, 10, 10),                    # blank name: skipped
        {**_obj(9, "x", 60, 10, 5, 5), "names": []},       # no names: skipped
        _obj(10, "vase", 100, 5, 10, 20, attributes=["blue"]),
        _obj(10, "vase", 100, 5, 10, 20, attributes=["tall"]),  # the same object twice
        _obj(11, "goblin", 40, 50, 10, 10),                # id 11 listed twice, differently:
        _obj(11, "troll", 70, 50, 10, 10),                 # ambiguous, both skipped
        _obj(12, "cup", 12.4, 20.6, 9.7, 10.2),            # fractional: rounded
    ]
    relationships = [
        _rel(1, 1, "on", 2),
        _rel(2, 3, "  above ", 1),
        _rel(3, 4, "next to", 1),            # names a skipped object
        _rel(4, 1, "", 2),                   # empty predicate
        _rel(5, 1, "near", 11),              # names the ambiguous id
        _rel(6, 1, "  ", 10),                # blank predicate
        _rel(7, 10, "behind", 10),           # self relation
        _rel(8, 1, "On", 2),                 # the same edge again
        {"relationship_id": 9, "subject_id": 1, "object_id": 2},  # no predicate
        _rel(10, 12, "left of", 10),
    ]
    return [{"image_id": 42, "width": 200, "height": 100, "objects": objects,
             "relationships": relationships}]


SKIPPED_NAMES = ("unicorn", "dragon", "ghost", "phantom", "goblin", "troll")


def test_bad_boxes_and_names_are_clipped_or_skipped_and_counted(tmp_path: Path) -> None:
    vg = load_vg_file(_write(tmp_path / "sg.json", _noisy()))
    image = vg.image(0)
    boxes = {o.object_id: (o.names[0], o.x, o.y, o.w, o.h) for o in image.objects}
    assert boxes == {
        1: ("cat", 10, 10, 30, 30),
        2: ("table", 150, 60, 50, 40),
        3: ("lamp", 0, 0, 15, 22),
        10: ("vase", 100, 5, 10, 20),
        12: ("cup", 12, 21, 10, 10),
    }
    assert next(o for o in image.objects if o.object_id == 10).attributes == ["blue", "tall"]
    assert [(r.subject_id, r.predicate, r.object_id) for r in image.relationships] == [
        (1, "on", 2), (3, "above", 1), (12, "left of", 10)]
    assert dict(vg.counts[0]) == {
        "clipped_boxes": 2,
        "skipped_objects": 9,
        "skipped_objects.bad_box": 1,
        "skipped_objects.conflicting_id": 2,
        "skipped_objects.degenerate_box": 2,
        "skipped_objects.duplicate_id": 1,
        "skipped_objects.no_name": 2,
        "skipped_objects.outside_image": 1,
        "skipped_relations": 7,
        "skipped_relations.duplicate": 1,
        "skipped_relations.empty_predicate": 3,
        "skipped_relations.removed_object": 2,
        "skipped_relations.self_relation": 1,
    }


def test_questions_never_mention_skipped_objects_and_counters_reach_the_manifest(
        tmp_path: Path) -> None:
    vg = _write(tmp_path / "sg.json", _noisy() * 3)
    synthgen.make("svg", n=3, out=tmp_path / "d", workers=1,
                  config={"source": f"vg:{vg}", **QA})
    counters = json.loads((tmp_path / "d" / "manifest.json").read_text())["totals"]["counters"]
    assert counters["clipped_boxes"] == 6
    assert counters["skipped_objects"] == 27
    assert counters["skipped_relations"] == 21
    text = json.dumps([r["qa"] for r in _records(tmp_path / "d")]).lower()
    assert "cat" in text and "table" in text  # the questions do talk about objects
    for name in SKIPPED_NAMES:
        assert name not in text, name
    for record in _records(tmp_path / "d"):
        for o in record["vg_graph"]["objects"]:
            assert o["x"] >= 0 and o["y"] >= 0 and o["w"] > 0 and o["h"] > 0
            assert o["x"] + o["w"] <= 200 and o["y"] + o["h"] <= 100


def test_without_image_size_only_negative_origins_are_clipped(tmp_path: Path) -> None:
    entry = {"image_id": 5, "objects": [_obj(1, "a", -4, 3, 10, 10), _obj(2, "b", 500, 400,
                                                                            100, 50)]}
    vg = load_vg_file(_write(tmp_path / "sg.json", [entry]))
    image = vg.image(0)
    assert (image.width, image.height) == (None, None)
    assert [(o.x, o.y, o.w, o.h) for o in image.objects] == [(0, 3, 6, 10), (500, 400, 100, 50)]
    assert dict(vg.counts[0]) == {"clipped_boxes": 1}
    from synthgen.generators.qa.sources import from_vg

    view = from_vg(image)
    assert (view.width, view.height) == (600, 450)


def test_an_exported_dataset_still_imports_unchanged(tmp_path: Path) -> None:
    entry = {"image_id": 0, "width": 64, "height": 48,
             "objects": [_obj(1, "cube", 0, 0, 64, 48, attributes=["red"]),
                         _obj(2, "sphere", 3, 4, 5, 6, attributes=[])],
             "relationships": [_rel(0, 1, "left of", 2)]}
    path = _write(tmp_path / "sg.json", [entry])
    assert [i.model_dump() for i in load_vg(path)] == [entry]
    assert load_vg_file(path).counts == ({},)


DEEP = "[" * 200_000 + "]" * 200_000
LATIN1 = '[{"image_id": 1, "objects": [{"object_id": 1, "x": 0, "y": 0, "w": 5, "h": 5, ' \
    '"names": ["café"]}]}]'.encode("latin-1")


@pytest.mark.parametrize(("content", "words"), [
    (DEEP.encode(), ["nested too deeply"]),
    (LATIN1, ["not UTF-8", f"byte {LATIN1.index(0xE9)}"]),
    (b"", ["not valid JSON"]),
    (b"image_id,objects\n1,2\n", ["not valid JSON"]),
    (b'{"images": []}', ["JSON list", "dict"]),
    (b"[]", ["no images"]),
    (b"[1]", ["entry 0", "JSON object"]),
    (b"[" + b"9" * 5000 + b"]", ["not usable JSON"]),
    (b'[{"image_id": 3, "width": -640, "height": 480, "objects": []}]',
     ["entry 0", "image_id 3", "'width'", "-640"]),
    (b'[{"image_id": 3, "width": 640, "height": 1e30, "objects": []}]',
     ["image_id 3", "'height'"]),
    (b'[{"image_id": 3, "objects": [{"object_id": 1, "x": 0, "y": "left", "w": 5, "h": 5, '
     b'"names": ["a"]}]}]', ["image_id 3", "objects.0.y"]),
    (b'[{"image_id": 4, "objects": [], "relationships": [{"predicate": "on", '
     b'"subject": "man"}]}]', ["image_id 4", "relationships.0.subject"]),
], ids=["deep", "latin1", "empty", "csv", "dict", "no_images", "entry_not_object", "long_int",
        "negative_width", "huge_height", "string_coordinate", "embedded_not_object"])
def test_unusable_files_are_one_line_exit_2_and_write_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
        words: list[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(UserError) as raised:
        load_vg_file(bad)
    assert "\n" not in str(raised.value) and str(bad) in str(raised.value)
    out = tmp_path / "o1"
    code, err = _cli(capsys, "make", "svg", "--n", "5", "--out", str(out), "--no-progress",
                     "--set", f'source="vg:{bad}"')
    assert code == 2, err
    line = err.strip()
    assert "\n" not in line and line.startswith("synthgen: error: ") and str(bad) in line
    for word in words:
        assert word in line, line
    assert not out.exists()


def test_cli_end_to_end_in_a_fresh_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(DEEP)
    out = tmp_path / "o1"
    result = run_cli("make", "svg", "--n", "5", "--set", f'source="vg:{bad}"', "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and str(bad) in result.stderr
    assert not out.exists()
    good = _write(tmp_path / "sg.json", _realistic())
    result = run_cli("make", "svg", "--n", "2", "--set", f'source="vg:{good}"', "--out",
                     str(out), "--no-progress")
    assert result.returncode == 0, result.stderr
    totals = json.loads((out / "manifest.json").read_text())["totals"]
    assert totals["accepted"] == 2 and totals["counters"]["skipped_relations"] == 3
