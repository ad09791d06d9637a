"""svg on the sprites world: every count a question states is what a viewer of the image
would count (issue #14/#15).

The sprite world's graph names parts (hands, shirts, tires, table legs) on only some of the
wholes, names some things by a generic word ("animal", "vehicle", "guy") and colours a
person by its clothes. The checks here recount each count-like answer independently from
the record's world graph and the atlas alone: every thing whose name, category, a synonym
or a hypernym of its category is the asked word counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import synthgen
from synthgen.generators.qa.sources import Thing, from_world_graph, world_words
from synthgen.world.sprites.atlas import load_atlas
from synthgen.world.sprites.grammar import GENERIC_WORD
from synthgen.world.vg import VGImage, VGObject, VGRelationship
from tests.qa.checker import stored_choices

N_RECORDS = 60
COUNT_KINDS = {"count", "attribute_count", "negation_count", "negation_exists"}
NAMED_KINDS = COUNT_KINDS | {
    "compositional_count",
    "compositional_exists",
    "most_frequent",
    "least_frequent",
}
PART_WORDS = {
    "hand", "arm", "head", "hair", "face", "shirt", "pants", "shoe", "tire", "wheel",
    "window", "windshield", "trunk", "handle", "drawer", "leg", "post", "roof", "door",
}  # fmt: skip


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    config = {"world": "sprites", "qa": {"per_image": 12}}
    made = synthgen.generate("svg", N_RECORDS, config=config)
    return [json.loads(r.model_dump_json()) for r in made]


def _words(category: str) -> set[str]:
    """Every word that names a thing of ``category`` (as the atlas knows it)."""
    c = load_atlas().categories.get(category)
    if c is None:
        return {category}
    out = {c.name, c.plural, *c.synonyms, *c.hypernyms}
    out |= {GENERIC_WORD[h] for h in c.hypernyms if h in GENERIC_WORD}
    if c.group == "person":
        out |= {"person", "people"}
    return out


def recount(graph: dict[str, Any], name: str, attrs: dict[str, str]) -> int:
    """Things (never parts or backdrop pieces) that ``name`` names and that have every
    attribute value of ``attrs``."""
    return sum(
        1
        for o in graph["objects"]
        if o["role"] == "thing"
        and (name in o["names"] or name in _words(o["category"]))
        and all(v in o["attributes"] for v in attrs.values())
    )


def _program(qa: dict[str, Any]) -> dict[str, Any]:
    return json.loads(qa["program"])


def test_every_count_answer_is_an_independent_recount(records: list[dict[str, Any]]) -> None:
    checked = 0
    for r in records:
        graph = r["world_graph"]
        for qa in r["qa"]:
            p = _program(qa)
            if qa["kind"] in ("count", "attribute_count"):
                sel = p["select"]
                assert int(qa["answer"]) == recount(graph, sel["name"], sel["attrs"]), qa
                checked += 1
            elif qa["kind"] in ("negation_count", "negation_exists"):
                sel = p["select"]
                n = recount(graph, sel["name"], {})
                n -= recount(graph, sel["name"], {"v": sel["not"]["value"]})
                expected = str(n) if qa["kind"] == "negation_count" else ("yes" if n else "no")
                assert qa["answer"] == expected, qa
                checked += 1
            elif qa["kind"] in ("most_frequent", "least_frequent"):
                counts = [recount(graph, o, {}) for o in p["names"]]
                best = max(counts) if qa["kind"] == "most_frequent" else min(counts)
                assert counts.count(best) == 1, qa
                assert p["options"][counts.index(best)] == qa["answer"], qa
                checked += 1
            elif qa["kind"] in ("object_list", "caption"):
                for name, n in p["counted"].items():
                    assert recount(graph, name, {}) == n, (name, qa)
                    checked += 1
    assert checked >= 40, f"only {checked} count answers checked"


def test_no_count_or_exist_question_names_a_part(records: list[dict[str, Any]]) -> None:
    parts = PART_WORDS | world_words("sprites").parts
    asked = 0
    for r in records:
        objects = r["world_graph"]["objects"]
        in_graph = {n for o in objects if o["role"] != "thing" for n in o["names"]}
        for qa in r["qa"]:
            if qa["kind"] not in NAMED_KINDS:
                continue
            p = _program(qa)
            names = p.get("names") or [p["select"]["name"]]
            for name in names:
                asked += 1
                assert name is not None, qa  # "red objects" is not counted in this world
                assert name not in parts and name not in in_graph, qa
    assert asked >= 20


def _person(graph: dict[str, Any], o: dict[str, Any]) -> bool:
    return o["group"] == "person"


def test_no_colour_question_about_a_person(records: list[dict[str, Any]]) -> None:
    for r in records:
        graph = r["world_graph"]
        people = [o for o in graph["objects"] if _person(graph, o)]
        person_words = {w for o in people for w in (*o["names"], *_words(o["category"]))}
        person_boxes = [o["bbox"] for o in people]
        for qa in r["qa"]:
            p = _program(qa)
            text = json.dumps(p)
            if p.get("query") in ("color", "attributes") and p["op"] != "chain_query":
                # (a chain asks the colour of what the person holds: checker.py checks
                # that it is no person)
                if "region" in p:
                    assert p["region"] not in person_boxes, qa
                for node in _refs(p):
                    assert node["name"] not in person_words, qa
            # no description of a person by a colour (selection, reference or option)
            for node in _refs(p):
                if "color" in node.get("attrs", {}):
                    assert node["name"] not in person_words, (qa, text)


def _refs(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        here = [node] if "name" in node and "attrs" in node else []
        return here + [x for v in node.values() for x in _refs(v)]
    if isinstance(node, list):
        return [x for v in node for x in _refs(v)]
    return []


# ---- the adapter on a hand-made graph -------------------------------------------------


@dataclass
class _Rendering:
    ids: np.ndarray
    depth_order: np.ndarray


def _scene() -> tuple[VGImage, _Rendering, dict[str, Any]]:
    """Two men (one with a named hand), a cat named "animal", a cat, a horse, a sky."""
    spec = [  # id, names, category, group, role, attributes, box
        (1, ["sky"], "sky", "backdrop", "backdrop", [], (0, 0, 100, 20)),
        (2, ["man"], "man", "person", "thing", ["gray"], (0, 20, 10, 30)),
        (3, ["hand"], "hand", "part", "part", [], (2, 40, 3, 3)),
        (4, ["guy", "man"], "man", "person", "thing", ["blue"], (20, 20, 10, 30)),
        (5, ["animal", "cat"], "cat", "animal", "thing", ["brown"], (40, 30, 10, 10)),
        (6, ["cat"], "cat", "animal", "thing", ["gray"], (60, 30, 10, 10)),
        (7, ["horse"], "horse", "animal", "thing", ["brown"], (80, 30, 10, 10)),
    ]
    ids = np.zeros((60, 100), np.int32)
    objects, vg_objects = [], []
    for i, names, cat, group, role, attrs, (x, y, w, h) in spec:
        ids[y : y + h, x : x + w] = i
        objects.append(
            {
                "id": i,
                "names": names,
                "category": cat,
                "group": group,
                "role": role,
                "attributes": attrs,
                "bbox": [x, y, w, h],
                "whole": 0,
            }
        )
        vg_objects.append(VGObject(object_id=i, x=x, y=y, w=w, h=h, names=names, attributes=attrs))
    relations = [(1, 3, "part of", 2, "part"), (2, 2, "left of", 4, "geometric")]
    graph = {
        "objects": objects,
        "relationships": [
            {"id": k, "subject_id": s, "predicate": p, "object_id": o, "kind": kind, "rule": ""}
            for k, s, p, o, kind in relations
        ],
    }
    vg = VGImage(
        image_id=0,
        width=100,
        height=60,
        objects=vg_objects,
        relationships=[
            VGRelationship(relationship_id=k, predicate=p, subject_id=s, object_id=o)
            for k, s, p, o, _ in relations
        ],
    )
    return vg, _Rendering(ids, ids.copy()), graph


def test_adapter_counts_as_a_viewer_would() -> None:
    vg, rendering, graph = _scene()
    view = from_world_graph(vg, rendering, "sprites", graph, [])  # type: ignore[arg-type]
    assert view.lexicon is not None and view.has_masks
    assert "hand" not in view.count_names() and view.refs[3] is None  # a part: 4 hands show
    assert view.count("man") == 2 and view.count("guy") == 2  # "guy" is a man's word
    assert view.count("animal") == 3 and view.count("cat") == 2  # generic and specific
    assert view.count("horse") == 1
    assert "sky" not in view.count_names() and view.refs[1] == ("sky", {})  # refers only
    assert "color" not in view.by_id[2].attrs and "color" not in view.by_id[4].attrs
    assert view.by_id[5].attrs["color"] == "brown"
    assert "left of" in view.lexicon.open_predicates and view.closed_predicates == ["part of"]
    # "the cat" would be either cat: the gray one is told by its colour; "the brown
    # animal" would be the brown cat or the brown horse
    assert view.refs[6] == ("gray cat", {"color": "gray"})
    assert view.refs[5] is None and view.refs[7] == ("horse", {})


def test_a_hidden_thing_left_unnamed_makes_its_name_uncounted() -> None:
    vg, rendering, graph = _scene()
    hidden_cat = Thing(names=("cat",), category="cat", role="thing", group="animal")
    view = from_world_graph(vg, rendering, "sprites", graph, [hidden_cat])  # type: ignore[arg-type]
    assert "cat" not in view.count_names() and "animal" not in view.count_names()
    assert "horse" in view.count_names() and "man" in view.count_names()
    # a thing of unknown kind: nothing is counted
    view = from_world_graph(vg, rendering, "sprites", graph, [None])  # type: ignore[arg-type]
    assert view.count_names() == []


def test_a_boy_is_a_person_but_maybe_not_a_man() -> None:
    vg, rendering, graph = _scene()
    graph["objects"][1]["names"] = ["boy"]
    vg.objects[1].names = ["boy"]
    view = from_world_graph(vg, rendering, "sprites", graph, [])  # type: ignore[arg-type]
    assert "man" not in view.count_names() and "guy" not in view.count_names()
    assert view.count("boy") == 1


GROUP_OF_WORD = {
    "person": "person",
    "animal": "animal",
    "bird": "animal",
    "insect": "animal",
    "vehicle": "vehicle",
    "food": "food",
    "fruit": "food",
    "vegetable": "food",
    "building": "building",
    "musical instrument": "music",
}
"""The atlas group whose things a generic question word counts."""


def test_a_generic_word_counts_only_things_of_its_group() -> None:
    """ "How many people?" counted plungers (their WordNet sense was the speculator, a
    person), "How many animals?" coral, and "food" an empty cereal bowl's crockery sense
    (a bowl is a dish, and "dish" reads "food"). A generic word a viewer may not use of a
    thing of another group is in doubt for it (``QUESTION_WORDS``), never counted."""
    atlas = load_atlas()
    words = world_words("sprites")
    foreign = [
        (name, word)
        for name, general in words.general.items()
        for word in general
        if word in GROUP_OF_WORD and atlas.categories[name].group != GROUP_OF_WORD[word]
    ]
    assert not foreign, foreign
    assert "person" in words.general["man"] and "animal" in words.general["dog"]


def test_no_option_also_names_the_answer_piece() -> None:
    """ "What does the man stand on?" with the options sidewalk, track, floor and tile, the
    answer tile: the tiled floor is a floor too. A backdrop piece's options leave out every
    word that names it (its names and its category in the record's graph)."""
    config = {
        "world": "sprites",
        "qa": {"kinds": ["relation_object"], "per_image": 4, "multiple_choice_ratio": 1.0},
    }
    made = synthgen.generate("svg", 120, config=config, seed=5)
    checked = 0
    for r in (json.loads(x.model_dump_json()) for x in made):
        pieces = {
            o["names"][0]: {*o["names"], o["category"]}
            for o in r["world_graph"]["objects"]
            if o.get("role") == "backdrop"
        }
        for qa in r["qa"]:
            words = pieces.get(qa["answer"])
            choices = stored_choices(qa)
            if not choices or words is None or words == {qa["answer"]}:
                continue
            others = set(choices)
            others.discard(qa["answer"])
            assert not others & words, (qa["question"], qa["answer"], qa["choices"])
            checked += 1
    assert checked >= 5
