"""An independent evaluator of QA programs, written from the program language's spec
(``synthgen/generators/qa/programs.py`` docstring) and not from the kinds' code: it imports
nothing from the QA package. It reads graphs straight from the data a record or file holds
(the world's ``SceneGraph`` JSON, Visual Genome JSON), plus the instance map and depth map
of a rendering when points are asked about.

``check(qa, graph)`` / ``check_many(qa, graphs)`` raise ``Disagreement`` naming what does not
hold: an ambiguous or dangling reference, a comparison inside its margin, an answer that
differs from the recomputed one.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ORDER = ("size", "color", "material")
COLORS = ("gray", "red", "blue", "green", "brown", "purple", "cyan", "yellow")
MATERIALS = ("rubber", "metal")
SIZES = ("small", "medium", "large")
WORLD_ONLY = {
    "bigger than",
    "smaller than",
    "closer than",
    "farther than",
    "same color as",
    "same shape as",
    "same material as",
    "same size as",
}
OPPOSITES = [
    ("left of", "right of"),
    ("in front of", "behind"),
    ("bigger than", "smaller than"),
    ("closer than", "farther than"),
]


SAID = {
    "left of": "to the left of",
    "right of": "to the right of",
    "closer than": "closer to the camera than",
    "farther than": "farther from the camera than",
    "laying on": "lying on",
}
"""The spec's wording of predicates in texts and answers."""


def said(p: str) -> str:
    return SAID.get(p, p)


class Disagreement(AssertionError):
    pass


def opposite(p: str) -> str | None:
    for a, b in OPPOSITES:
        if p == a:
            return b
        if p == b:
            return a
    return None


@dataclass
class Obj:
    id: int
    name: str
    attrs: dict[str, str]
    bbox: tuple[int, int, int, int]
    centroid: tuple[float, float]
    position: tuple[float, float, float] | None = None
    distance: float | None = None
    words: frozenset[str] = frozenset()
    """Open worlds: every word the thing goes by (its names, its category's words)."""
    category: str = ""
    role: str = "thing"
    group: str = ""


@dataclass
class Graph:
    objects: list[Obj]
    rel: set[tuple[int, str, int]]
    world: bool
    ids: np.ndarray | None = None
    depth: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    open: bool = False
    """An open world (sprites): names are words that denote things (see ``says``)."""
    placed: set[tuple[int, str, int]] = field(default_factory=set)
    """Open worlds: the relations a placement rule made (not geometric, not facing-cone)."""
    scene_type: str = ""
    unseen: set[tuple[int, str, int]] = field(default_factory=set)
    """Open worlds: placed relations with a thing the graph leaves out but the image shows
    (an object's ``unnamed_partners``), 0 at its end."""


def world_graph(
    scene_graph: dict[str, Any], ids: np.ndarray | None = None, depth: np.ndarray | None = None
) -> Graph:
    """From a procedural record's ``scene_graph`` JSON (or ``SceneGraph.model_dump()``)."""
    objs = [
        Obj(
            id=o["id"],
            name=o["name"],
            attrs=dict(o["attributes"]),
            bbox=tuple(o["bbox"]),
            centroid=tuple(o["centroid"]),
            position=tuple(o["position"]),
            distance=o["distance"],
        )
        for o in scene_graph["objects"]
    ]
    by_predicate = scene_graph["relations_by_predicate"]
    if isinstance(by_predicate, str):  # a record's JSON text (schema 6), a dict in memory
        by_predicate = json.loads(by_predicate)
    rel = {(s, p, o) for p, pairs in by_predicate.items() for s, o in pairs}
    return Graph(objs, rel, world=True, ids=ids, depth=depth)


OPEN_COLORS = (*COLORS, "white", "black", "orange", "pink")
OPEN_MATERIALS = (*MATERIALS, "wooden", "brick")


def typed(words: list[str]) -> dict[str, str]:
    """The first colour, material and size word of an imported object's attributes."""
    attrs: dict[str, str] = {}
    for word in words:
        w = word.strip().lower()
        for key, values in (("color", OPEN_COLORS), ("material", OPEN_MATERIALS), ("size", SIZES)):
            if w in values and key not in attrs:
                attrs[key] = w
    return attrs


def vg_graph(entry: dict[str, Any]) -> Graph:
    """From one Visual Genome image entry: names, typed-by-vocabulary attributes, boxes."""
    objs = []
    for o in entry["objects"]:
        attrs = typed(o.get("attributes", []))
        x, y, w, h = o["x"], o["y"], o["w"], o["h"]
        objs.append(
            Obj(
                o["object_id"],
                o["names"][0].strip().lower(),
                attrs,
                (x, y, w, h),
                (x + w / 2, y + h / 2),
            )
        )
    rel = {
        (r["subject_id"], r["predicate"].strip().lower(), r["object_id"])
        for r in entry.get("relationships", [])
    }
    return Graph(objs, rel, world=False)


def _category_words(category: str) -> frozenset[str]:
    """Every word a viewer may use for a thing of ``category``, from the sprite atlas
    itself: its name, plural, synonyms, hypernyms, the grammar's generic word and alias,
    "person"/"people" for people."""
    from synthgen.world.sprites.atlas import load_atlas
    from synthgen.world.sprites.grammar import GENERIC_WORD, NAME_AS

    c = load_atlas().categories.get(category)
    if c is None:
        return frozenset({category})
    out = {c.name, c.plural, *c.synonyms, *c.hypernyms}
    out |= {GENERIC_WORD[h] for h in c.hypernyms if h in GENERIC_WORD}
    if c.name in NAME_AS:
        out.add(NAME_AS[c.name][0])
    if c.group == "person":
        out |= {"person", "people"}
    return frozenset(out)


_WORDS: dict[str, frozenset[str]] = {}


def _json_list(value: Any) -> list[Any]:
    """A list stored as JSON text ("": empty) or as a list."""
    if isinstance(value, str):
        return json.loads(value) if value else []
    return list(value or ())


def sprite_graph(world: dict[str, Any], ids: np.ndarray | None = None) -> Graph:
    """From a sprites record's ``world_graph``: each object with its names (the first is
    what questions call it), category words (things only), role, group, typed colour and
    material, visible box; relations with the placed ones apart."""
    objs = []
    for o in world["objects"]:
        cat = o["category"]
        if cat not in _WORDS:
            _WORDS[cat] = _category_words(cat)
        names = [str(n).strip().lower() for n in o["names"]]
        words = set(names) | (_WORDS[cat] if o["role"] == "thing" else {cat})
        attrs = typed(o["attributes"])
        if o["group"] == "person":
            attrs.pop("color", None)  # a person's colour is its clothes': never asked
        x, y, w, h = o["bbox"]
        pos = o.get("pos")  # (sideways, depth) in metres: things placed at a known depth
        objs.append(
            Obj(
                o["id"], names[0], attrs, (x, y, w, h), (x + w / 2, y + h / 2),
                words=frozenset(words), category=cat, role=o["role"], group=o["group"],
                distance=float(pos[1]) if pos else None,
            )
        )  # fmt: skip
    _hold_parts(objs, world["relationships"])
    rel = {(r["subject_id"], r["predicate"], r["object_id"]) for r in world["relationships"]}
    placed = {
        (r["subject_id"], r["predicate"], r["object_id"])
        for r in world["relationships"]
        if r["kind"] != "geometric" and r["rule"] != "facing-cone"
    }
    unseen = {
        (0, e["predicate"], o["id"]) if e["side"] == "subject" else (o["id"], e["predicate"], 0)
        for o in world["objects"]
        for e in _json_list(o.get("unnamed_partners"))
    }
    return Graph(
        objs, rel, world=False, ids=ids, open=True, placed=placed,
        scene_type=world["scene_type"], unseen=unseen,
        extra={"scene_shown": _scene_shown(world)},
    )  # fmt: skip


SCENE_EVIDENCE = Path(__file__).parents[2] / "synthgen/world/sprites/data/scene_evidence.json"


@functools.cache
def _evidence() -> dict[str, frozenset[str]]:
    """The sprite world's scene evidence file read here (not through the world's code):
    per category, or ground piece, the scene types it is seen in; keys seen too seldom
    tell nothing."""
    data = json.loads(SCENE_EVIDENCE.read_text())
    least = data["min_sightings"]
    return {k: frozenset(v) for k, v in data["evidence"].items() if sum(v.values()) >= least}


def _scene_shown(world: dict[str, Any]) -> frozenset[str] | None:
    """The scene types a viewer can tell the image from: those every object's category
    (a ground piece's: the piece touching the bottom row, "snow" under the skier rather
    than on a mountain top) is seen in."""
    shown = None
    for o in world["objects"]:
        _x, y, _w, h = o["bbox"]
        ground = o["role"] == "backdrop" and y + h >= world["height"]
        types = _evidence().get(o["category"] + ("@ground" if ground else ""))
        if types is not None:
            shown = types if shown is None else shown & types
    return shown


def _answer(o: Obj) -> str:
    """The name a free answer gives a thing: its category when its name is the grammar's
    generic word for it ("animal" for a dog), else its name."""
    from synthgen.world.sprites.grammar import GENERIC_WORD

    if o.name in GENERIC_WORD.values() and o.category and o.category != o.name:
        return o.category
    return o.name


def _hold_parts(objs: list[Obj], relationships: list[dict[str, Any]]) -> None:
    """A thing's box as a viewer draws it: with its parts (a house's roof, tied by a part
    relation), whatever the world's box left out."""
    by_id = {o.id: o for o in objs}
    for r in relationships:
        if r["kind"] != "part":
            continue
        a, b = by_id.get(r["subject_id"]), by_id.get(r["object_id"])
        if a is None or b is None:
            continue
        whole, part = (a, b) if b.role == "part" and a.role == "thing" else (b, a)
        if part.role != "part" or whole.role != "thing":
            continue
        x, y, w, h = whole.bbox
        px, py, pw, ph = part.bbox
        x0, y0 = min(x, px), min(y, py)
        x1, y1 = max(x + w, px + pw), max(y + h, py + ph)
        whole.bbox = (x0, y0, x1 - x0, y1 - y0)
        whole.centroid = (x0 + (x1 - x0) / 2, y0 + (y1 - y0) / 2)


def says(word: str, o: Obj) -> bool:
    """Whether ``word`` names ``o`` in an open world: one of its names, or (a thing) a
    word of its category."""
    return word in o.words


# ---- building blocks ---------------------------------------------------------------------


def text_of(name: str | None, attrs: dict[str, str]) -> str:
    words = [attrs[k] for k in ORDER if k in attrs]
    words += [v for k, v in sorted(attrs.items()) if k not in ORDER]
    return " ".join([*words, name or "object"])


def full_text(o: Obj) -> str:
    return " ".join([*(o.attrs[k] for k in ORDER if k in o.attrs), o.name])


def fits(o: Obj, desc: dict[str, Any]) -> bool:
    name = desc.get("name")
    if name is not None and (name not in o.words if o.words else o.name != name):
        return False
    return all(o.attrs.get(k) == v for k, v in desc.get("attrs", {}).items())


def one(g: Graph, ref: dict[str, Any] | list[int]) -> Obj:
    """The single object a ref or region denotes; anything else is a disagreement."""
    if isinstance(ref, list):
        found = [o for o in g.objects if list(o.bbox) == list(ref)]
    else:
        found = [o for o in g.objects if fits(o, ref)]
    if len(found) != 1:
        raise Disagreement(f"reference {ref} selects {len(found)} objects")
    return found[0]


def holds(g: Graph, s: Obj, p: str, o: Obj) -> bool:
    return (s.id, p, o.id) in g.rel


def members(g: Graph, sel: dict[str, Any]) -> list[Obj]:
    out = [o for o in g.objects if fits(o, sel)]
    if sel.get("not_name") is not None:
        out = [o for o in out if not fits(o, {"name": sel["not_name"]})]
    neg = sel.get("not")
    if neg is not None:
        for o in out:
            if neg["key"] not in o.attrs:
                raise Disagreement(f"{full_text(o)} has no {neg['key']}: negation undecidable")
        out = [o for o in out if o.attrs[neg["key"]] != neg["value"]]
    rel = sel.get("rel")
    if rel is not None:
        anchor = one(g, rel["ref"])
        out = [o for o in out if o is not anchor]
        if rel.get("decided"):
            opp = opposite(rel["pred"])
            for o in out:
                if not holds(g, o, rel["pred"], anchor) and not holds(g, o, opp, anchor):
                    raise Disagreement(f"{full_text(o)} undecided w.r.t. {full_text(anchor)}")
        out = [o for o in out if holds(g, o, rel["pred"], anchor)]
    return out


def relation_set(g: Graph, s: Obj, o: Obj) -> list[str]:
    return sorted(p for a, p, b in g.rel if a == s.id and b == o.id and p not in WORLD_ONLY)


def only(values: list[float], smallest: bool, margin: float = 0.0) -> int:
    """Index of the unique extreme value, beating every other by at least ``margin``."""
    best = min(values) if smallest else max(values)
    i = values.index(best)
    for j, v in enumerate(values):
        if j != i and abs(v - best) < max(margin, 1e-12):
            raise Disagreement(f"no clear winner in {values} (margin {margin})")
    return i


def expect(got: str, want: str, what: str) -> None:
    if got != want:
        raise Disagreement(f"{what}: answer {got!r}, recomputed {want!r}")


def options_match(program: dict[str, Any]) -> None:
    for text, ref in zip(program["options"], program["refs"], strict=True):
        expect(text, text_of(ref["name"], ref["attrs"]), "option text")


MASS_NOUNS = {
    "bread", "cheese", "meat", "bacon", "butter", "rice", "spaghetti", "sushi", "honey",
    "milk", "popcorn", "broccoli", "garlic", "ginger", "soap", "luggage", "food",
    "toilet paper", "canned food", "sky", "snow", "grass", "water", "sand", "ice", "dirt",
    "mud", "tile",
}  # fmt: skip
SAME_PLURAL = {
    "sheep", "deer", "fish", "bison", "moose", "jellyfish", "shrimp", "aircraft", "goggles",
    "glasses", "sunglasses", "jeans", "shorts", "pants", "trousers", "scissors",
    "headphones", "chopsticks", "skis", "briefs", "grapes", "beans", "noodles", "fries",
    "people", "clothes", "stairs", "books", "shoes",
}  # fmt: skip
IRREGULAR = {
    "torus": "tori", "person": "people", "man": "men", "woman": "women",
    "child": "children", "mouse": "mice", "foot": "feet", "tooth": "teeth",
    "goose": "geese", "ox": "oxen", "leaf": "leaves", "knife": "knives", "wolf": "wolves",
    "scarf": "scarves", "shelf": "shelves", "cactus": "cacti", "hippopotamus": "hippopotami",
    "snowman": "snowmen", "tomato": "tomatoes", "potato": "potatoes", "mango": "mangoes",
    "mosquito": "mosquitoes", "buffalo": "buffaloes",
}  # fmt: skip


def is_mass_noun(noun: str) -> bool:
    words = noun.split(" ")
    return words[-1] in MASS_NOUNS or " ".join(words[-2:]) in MASS_NOUNS


def plural_of(noun: str) -> str:
    for one_, many in (("bow and arrow", "bows and arrows"), ("nut and bolt", "nuts and bolts")):
        if noun == one_ or noun.endswith(" " + one_):
            return noun[: len(noun) - len(one_)] + many
    if is_mass_noun(noun):
        return noun
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR:
        last = IRREGULAR[last]
    elif last in SAME_PLURAL:
        pass
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


NUMBERS = {
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}


def caption_objects(listing: str, known: set[str]) -> Counter[str]:
    """``a large red cube, two small spheres and a cone`` -> phrase counts (singular; plural
    items are matched against the ``known`` singular phrases)."""
    parts = listing.split(", ")
    last = parts.pop()
    parts += last.split(" and ") if " and " in last else [last]
    out: Counter[str] = Counter()
    for part in parts:
        word, rest = part.split(" ", 1)
        n = NUMBERS.get(word, int(word) if word.isdigit() else 0)
        if n == 0:
            raise Disagreement(f"caption item {part!r}")
        if n > 1:
            singular = [t for t in known if plural_of(t) == rest]
            if not singular:
                raise Disagreement(f"caption item {part!r} names no object")
            rest = singular[0]
        out[rest] += n
    return out


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


# ---- single-image ops --------------------------------------------------------------------


def program(qa: dict[str, Any]) -> dict[str, Any]:
    """A QA's program: records hold it as JSON text (a dict only if built by hand)."""
    p = qa["program"]
    return json.loads(p) if isinstance(p, str) else p


def stored_choices(qa: dict[str, Any]) -> list[str] | None:
    """A stored QA's options: JSON text in the record (``""``: none, schema 4), a list in a
    ``model_dump()``."""
    choices = qa.get("choices")
    if isinstance(choices, str):
        return json.loads(choices) if choices else None
    return choices


def check(qa: dict[str, Any], g: Graph) -> None:
    """Recompute one single-image QA's answer from ``g``; raise Disagreement if it differs."""
    p = program(qa)
    op = p["op"]
    ans = qa["answer"]
    choices = stored_choices(qa)
    if choices and (choices[qa["answer_index"]] != ans or len(set(choices)) != len(choices)):
        raise Disagreement("multiple choice does not hold the answer once")
    if op == "count":
        expect(ans, str(len(members(g, p["select"]))), "count")
    elif op == "exists":
        expect(ans, yes_no(bool(members(g, p["select"]))), "exists")
    elif op in ("most_frequent", "least_frequent"):
        for n, text in zip(p["names"], p["options"], strict=True):
            expect(text, plural_of(n), "option text")
        counts = [sum(fits(o, {"name": n}) for o in g.objects) for n in p["names"]]
        i = only(counts, smallest=op == "least_frequent")
        expect(ans, p["options"][i], op)
    elif op == "extreme":
        options_match(p)
        axis = {"x": 0, "y": 1}[p["axis"]]
        objs = [one(g, r) for r in p["refs"]]
        i = only([o.centroid[axis] for o in objs], p["most"] == "min", p["margin"])
        if p.get("edges"):
            side = [o.bbox[axis] + (o.bbox[2 + axis] if p["most"] == "max" else 0) for o in objs]
            only(side, p["most"] == "min")
            if side.index(max(side) if p["most"] == "max" else min(side)) != i:
                raise Disagreement("the box edges disagree with the centroids")
        expect(ans, p["options"][i], "extreme")
    elif op == "query":
        o = one(g, p["region"] if "region" in p else p["ref"])
        if p["query"] == "attributes":
            expect(ans, " ".join(o.attrs[k] for k in ORDER if k in o.attrs), "attributes")
        else:
            expect(ans, o.attrs[p["query"]], "query")
        if "options" in p and (ans not in p["options"] or len(set(p["options"])) < 2):
            raise Disagreement(f"query options {p['options']} do not offer {ans!r}")
    elif op == "relations":
        s, o = one(g, p["subject"]), one(g, p["object"])
        preds = relation_set(g, s, o)
        if not preds:
            raise Disagreement("no relation between the pair")
        expect(ans, ", ".join(said(x) for x in preds), "relations")
    elif op == "which_relation":
        options_match(p)
        target = one(g, p["object"])
        cands = [one(g, r) for r in p["refs"]]
        has = [holds(g, c, p["pred"], target) for c in cands]
        if has.count(True) != 1:
            raise Disagreement(f"{has.count(True)} candidates have {p['pred']}")
        if p["decided"]:
            opp = opposite(p["pred"])
            for c, h in zip(cands, has, strict=True):
                if not h and not holds(g, c, opp, target):
                    raise Disagreement("a wrong candidate is undecided")
        expect(ans, p["options"][has.index(True)], "which_relation")
    elif op == "point_object":
        ids = g.ids
        assert ids is not None, "point questions need the instance map"
        for x, y in [p["anchor"], *p["points"]]:
            k = ids[y, x]
            if k == 0 or not (
                ids[y - 1, x] == ids[y + 1, x] == ids[y, x - 1] == ids[y, x + 1] == k
            ):
                raise Disagreement(f"point {(x, y)} is not inside an object")
        home = ids[p["anchor"][1], p["anchor"][0]]
        same = [ids[y, x] == home for x, y in p["points"]]
        want = same.count(True) == 1 if p["same"] else same.count(False) == 1
        if not want:
            raise Disagreement(f"points do not single out one answer: {same}")
        i = same.index(True) if p["same"] else same.index(False)
        expect(ans, "({}, {})".format(*p["points"][i]), "point_object")
        expect(p["options"][i], ans, "point option")
    elif op == "point_depth":
        assert g.depth is not None and g.ids is not None, "depth points need the maps"
        d = [float(g.depth[y, x]) for x, y in p["points"]]
        for v, (x, y) in zip(d, p["points"], strict=True):
            if not math.isfinite(v) or g.ids[y, x] == 0:
                raise Disagreement("a depth point is off the objects")
        i = only(d, smallest=p["most"] == "closer")
        expect(ans, p["options"][i], "point_depth")
        if g.open:  # the map is a draw order: the things must be apart in depth to a viewer
            by_id = {o.id: o for o in g.objects}
            a, b = (by_id.get(int(g.ids[y, x])) for x, y in p["points"])
            if a is None or b is None:
                raise Disagreement("a depth point is on no named object")
            if a.distance is not None and b.distance is not None:
                far = max(a.distance, b.distance)
                if abs(a.distance - b.distance) < max(0.5, 0.05 * far):
                    raise Disagreement("the two things stand too near in depth to tell")
                nearer = 0 if a.distance < b.distance else 1
                if i != (nearer if p["most"] == "closer" else 1 - nearer):
                    raise Disagreement("the draw order and the things' depths disagree")
            elif not (
                (a.distance is not None and b.role == "backdrop")
                or (b.distance is not None and a.role == "backdrop")
            ):
                raise Disagreement("no known depth tells these two apart")
    elif op == "object_depth":
        options_match(p)
        objs = [one(g, r) for r in p["refs"]]
        i = only([o.distance for o in objs], p["most"] == "closer", p["margin"])  # type: ignore[misc]
        expect(ans, p["options"][i], "object_depth")
    elif op == "anchor_distance":
        options_match(p)
        anchor = one(g, p["anchor"])
        objs = [one(g, r) for r in p["refs"]]
        if anchor in objs:
            raise Disagreement("anchor among the candidates")
        d = [math.dist(anchor.position, o.position) for o in objs]  # type: ignore[arg-type]
        i = only(d, p["most"] == "closer", p["margin"])
        expect(ans, p["options"][i], "anchor_distance")
    elif op == "closest_object":
        anchor = one(g, p["anchor"])
        others = [o for o in g.objects if o is not anchor]
        d = [math.dist(anchor.position, o.position) for o in others]  # type: ignore[arg-type]
        i = only(d, p["most"] == "closest", p["margin"])
        if one(g, p["answer_ref"]) is not others[i]:
            raise Disagreement("answer_ref is not the winner")
        expect(ans, text_of(p["answer_ref"]["name"], p["answer_ref"]["attrs"]), "closest_object")
    elif op in ("object_list", "describe") and g.open:
        _open_listing(ans, p, g)
    elif op in OPEN_OPS:
        _open_op(ans, p, g)
    elif op == "object_list":
        counts = Counter(o.name for o in g.objects)
        want = ", ".join(
            f"{counts[n]} {n if counts[n] == 1 else plural_of(n)}" for n in sorted(counts)
        )
        expect(ans, want, "object_list")
    elif op == "attribute_list":
        expect(ans, "; ".join(sorted(full_text(o) for o in g.objects)), "attribute_list")
    elif op == "relation_list":
        s = one(g, p["subject"])
        items = {(it["pred"], one(g, it["object"]).id) for it in p["items"]}
        if p.get("placed"):
            # an open world: all the subject's placed relations, parts and part
            # predicates aside
            roles = {o.id: o.role for o in g.objects}
            truth = {
                (b, c)
                for a, b, c in g.placed
                if a == s.id
                and roles.get(c) != "part"
                and roles.get(a) != "part"
                and b not in ("has", "part of", "of", "says", "painted on")
            }
        else:
            truth = {(b, c) for a, b, c in g.rel if a == s.id and b not in WORLD_ONLY}
        if items != truth:
            raise Disagreement("relation list incomplete or wrong")
        text = "; ".join(
            f"{said(it['pred'])} the {text_of(it['object']['name'], it['object']['attrs'])}"
            for it in p["items"]
        )
        expect(ans, text, "relation_list")
    elif op == "describe":
        if p["count"] != len(g.objects):
            raise Disagreement("caption count")
        if sorted(p["objects"]) != sorted(full_text(o) for o in g.objects):
            raise Disagreement("caption objects")
        n = p["count"]
        head = f"There {'is' if n == 1 else 'are'} {n} object{'' if n == 1 else 's'}: "
        sentences = []
        for c in p["claims"]:
            s, o = one(g, c["subject"]), one(g, c["object"])
            if not holds(g, s, c["pred"], o):
                raise Disagreement(f"caption claim {c} is false")
            subject = text_of(c["subject"]["name"], c["subject"]["attrs"])
            sentences.append(
                f" The {subject} {is_or_are(subject)} {said(c['pred'])} "
                f"the {text_of(c['object']['name'], c['object']['attrs'])}."
            )
        tail = "".join(sentences)
        if not ans.startswith(head) or not ans.endswith("." + tail):
            raise Disagreement("caption does not state the count and the claims")
        known = {full_text(o) for o in g.objects}
        listed = caption_objects(ans[len(head) : len(ans) - len(tail) - 1], known)
        if listed != Counter(full_text(o) for o in g.objects):
            raise Disagreement(f"caption lists {dict(listed)}")
    elif op == "box":
        x, y, w, h = one(g, p["ref"]).bbox
        expect(ans, f"[{x}, {y}, {w}, {h}]", "box")
    elif op == "distance_compare":
        anchor, a, b = one(g, p["anchor"]), one(g, p["a"]), one(g, p["b"])
        da, db = math.dist(anchor.position, a.position), math.dist(anchor.position, b.position)  # type: ignore[arg-type]
        if abs(da - db) < p["margin"]:
            raise Disagreement("distance comparison inside the margin")
        expect(ans, yes_no(da < db), "distance_compare")
    elif op == "same_attribute":
        a, b = one(g, p["a"]), one(g, p["b"])
        k = p["query"]
        if k in p["a"]["attrs"] or k in p["b"]["attrs"]:
            raise Disagreement("a description names the compared attribute")
        expect(ans, yes_no(a.attrs[k] == b.attrs[k]), "same_attribute")
    elif op == "relation_holds":
        s, o = one(g, p["subject"]), one(g, p["object"])
        if holds(g, s, p["pred"], o):
            expect(ans, "yes", "relation_holds")
        elif holds(g, s, opposite(p["pred"]), o):  # type: ignore[arg-type]
            expect(ans, "no", "relation_holds")
        else:
            raise Disagreement("relation neither holds nor is contradicted")
    else:
        raise Disagreement(f"unknown op {op!r}")


# ---- open-world ops (sprites) ------------------------------------------------------------

WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SCENE_SAID = {"living_room": "living room", "ski": "ski slope", "railway": "railway"}
PART_PREDICATES = {"has", "part of", "of", "says", "painted on"}
HEADWEAR = {"hat", "cap", "helmet", "crown", "graduation cap"}
ON_WORDS = {"on", "sitting on", "standing on", "lying on", "laying on", "parked on", "walking on"}
ON_WORDS |= {"mounted on", "growing on", "on back of"}
IN_WORDS = {"in", "walking in", "flying in"}
"""What a person reads as "on" / "in" a thing, in the world's wordings."""
OPEN_OPS = {
    "relation_object", "relation_subject", "part_at_point", "scene_type", "chain_query",
}  # fmt: skip


PAIRS_AND_BUNCHES = SAME_PLURAL - {
    "sheep", "deer", "fish", "bison", "moose", "jellyfish", "shrimp", "aircraft",
}  # fmt: skip
"""Nouns plural in form: no article, and "are" ("the sunglasses are")."""


def a_or_an(noun: str) -> str:
    if noun.rpartition(" ")[2] in PAIRS_AND_BUNCHES:
        return noun
    if is_mass_noun(noun):
        return noun
    vowel_sound = noun[0] in "aeiou"
    if noun.startswith(("hour", "honest", "heir", "uni", "use", "usu", "uten", "eu")):
        vowel_sound = not vowel_sound  # "an hourglass", "a utensil"
    return ("an " if vowel_sound else "a ") + noun


def is_or_are(noun: str) -> str:
    return "are" if noun.rpartition(" ")[2] in PAIRS_AND_BUNCHES else "is"


def _open_listing(ans: str, p: dict[str, Any], g: Graph) -> None:
    """An open world's object list or caption: names of every object but parts (the
    caption: things only), a count where ``counted`` gives one (recounted over things)."""
    things_only = p["op"] == "describe"
    names = sorted(
        {o.name for o in g.objects if o.role != "part" and (o.role == "thing" or not things_only)}
    )
    expect(", ".join(p["names"]), ", ".join(names), "listed names")
    named = Counter(o.name for o in g.objects)
    for n, k in p["counted"].items():
        if sum(fits(o, {"name": n}) for o in g.objects) != k or named[n] != k:
            raise Disagreement(f"{n}: counted {k}")
    items = []
    for n in names:
        k = named[n]
        if is_mass_noun(n):
            items.append(n)
        elif n in p["counted"]:
            if things_only:
                items.append(
                    a_or_an(n) if k == 1 else f"{WORDS[k] if k < 10 else k} {plural_of(n)}"
                )
            else:
                items.append(f"{k} {n if k == 1 else plural_of(n)}")
        elif k > 1:
            items.append(plural_of(n))
        else:
            items.append(a_or_an(n) if things_only else n)
    if not things_only:
        expect(ans, ", ".join(items), "object_list")
        return
    listing = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
    text = f"The image shows {listing}."
    for c in p["claims"]:
        s, o = one(g, c["subject"]), one(g, c["object"])
        if not holds(g, s, c["pred"], o):
            raise Disagreement(f"caption claim {c} is false")
        subject = text_of(c["subject"]["name"], c["subject"]["attrs"])
        text += (
            f" The {subject} {is_or_are(subject)} {said(c['pred'])} "
            f"the {text_of(c['object']['name'], c['object']['attrs'])}."
        )
    expect(ans, text, "caption")


def _only_end(pairs: list[tuple[int, int]], key: int, side: int) -> int:
    ends = [pair[1 - side] for pair in pairs if pair[side] == key]
    if len(ends) != 1:
        raise Disagreement(f"{len(ends)} objects in the relation")
    if ends[0] == 0:
        raise Disagreement("the one object in the relation is too small to name")
    return ends[0]


def _open_op(ans: str, p: dict[str, Any], g: Graph) -> None:
    by_id = {o.id: o for o in g.objects}
    op = p["op"]
    if op == "scene_type":
        if g.extra.get("scene_shown") != {g.scene_type}:
            raise Disagreement(f"the image may show {g.extra.get('scene_shown')}: not asked")
        want = SCENE_SAID.get(g.scene_type, g.scene_type.replace("_", " "))
        expect(ans, want, "scene type")
        return
    if op == "part_at_point":
        whole = one(g, p["whole"])
        x, y = p["point"]
        linked = {(a, b) for a, q, b in g.placed if q in ("has", "part of", "of")}
        parts = [
            o
            for o in g.objects
            if o.role == "part" and {(whole.id, o.id), (o.id, whole.id)} & linked
        ]
        if g.ids is not None:  # the instance map decides: the point's object, inside it
            k = g.ids[y, x]
            if not (g.ids[y - 1, x] == g.ids[y + 1, x] == g.ids[y, x - 1] == g.ids[y, x + 1] == k):
                raise Disagreement("the point is on an edge")
            hit = [o for o in parts if o.id == k]
            if len(hit) != 1:
                raise Disagreement("the point is on no part of the whole")
            expect(ans, hit[0].name, "part")
            return
        # a record without its map: a part of the whole by that name holds the point
        inside = [o for o in parts if o.bbox[0] <= x < o.bbox[0] + o.bbox[2]
                  and o.bbox[1] <= y < o.bbox[1] + o.bbox[3]]  # fmt: skip
        if ans not in {o.name for o in inside}:
            raise Disagreement(f"no part {ans!r} of the whole at the point")
        return
    if op == "relation_subject":
        target = one(g, p["object"])
        if p["pred"] == "looking at":
            pairs = [(a, b) for a, q, b in g.rel if q in ("looking at", "watching")]
        else:
            pairs = [(a, b) for a, q, b in g.placed | g.unseen if q == p["pred"]]
        if p["pred"] in ("on", "in"):
            pairs = [
                (a, b) for a, b in pairs
                if (a == 0 or by_id[a].role == "thing") and (b == 0 or by_id[b].role == "thing")
            ]  # fmt: skip
            # "What is on the couch?" counts what sits, lies, stands ... on it too
            worded = ON_WORDS if p["pred"] == "on" else IN_WORDS
            sense = [(a, b) for a, q, b in g.placed | g.unseen if q in worded]
            if [a for a, b in sense if b == target.id] != [a for a, b in pairs if b == target.id]:
                raise Disagreement("something else is on (in) the object in other words")
        subject = by_id[_only_end(pairs, target.id, 1)]
        expect(ans, _answer(subject), "relation subject")
        if "wh" in p:  # "Who" asks for a person, "What" for anything else
            expect(p["wh"], "who" if subject.group == "person" else "what", "question word")
        return
    subject = one(g, p["subject"])
    pairs = [(a, b) for a, q, b in g.placed | g.unseen if q == p["pred"]]
    if op == "relation_object":
        if p["pred"] == "wearing":
            pairs = [(a, b) for a, b in pairs if b == 0 or by_id[b].category in HEADWEAR]
        expect(ans, _answer(by_id[_only_end(pairs, subject.id, 0)]), "relation object")
        return
    # chain_query: the attribute of the one object of the subject's relation
    x = by_id[_only_end(pairs, subject.id, 0)]
    if x.role != "thing" or x.group == "person":
        raise Disagreement("the chained object is no thing, or a person")
    expect(ans, x.attrs[p["query"]], "chained attribute")


# ---- multi-image ops ---------------------------------------------------------------------


def _cond(g: Graph, cond: dict[str, Any]) -> bool:
    if "has" in cond:
        return bool([o for o in g.objects if fits(o, cond["has"])])
    r = cond["relation"]
    xs = [o for o in g.objects if fits(o, r["subject"])]
    ys = [o for o in g.objects if fits(o, r["object"])]
    if len(xs) > 1 or len(ys) > 1:
        raise Disagreement("a description is ambiguous in an image")
    if not xs or not ys:
        return False
    if holds(g, xs[0], r["pred"], ys[0]):
        return True
    if g.world and not holds(g, xs[0], opposite(r["pred"]), ys[0]):  # type: ignore[arg-type]
        raise Disagreement("relation undecided in an image")
    return False


def _name(i: int) -> str:
    return f"Image {i + 1}"


def check_many(qa: dict[str, Any], graphs: list[Graph]) -> None:
    """Recompute one multi-image QA's answer from ``graphs`` (in image order)."""
    p = program(qa)
    op = p["op"]
    ans = qa["answer"]
    n = len(graphs)
    if "options" in p:
        expect(", ".join(p["options"]), ", ".join(_name(i) for i in range(n)), "image options")
    if op == "image_select":
        states = [_cond(g, p["cond"]) for g in graphs]
        if states.count(p["want"]) != 1:
            raise Disagreement(f"{states.count(p['want'])} images fit")
        if "relation" in p["cond"] and not p["want"]:
            r = p["cond"]["relation"]
            for g in graphs:  # "not" questions presume both objects in every image
                one(g, r["subject"])
                one(g, r["object"])
        expect(ans, _name(states.index(p["want"])), "image_select")
    elif op == "image_extreme":
        counts = [sum(fits(o, p["select"]) for o in g.objects) for g in graphs]
        expect(ans, _name(only(counts, smallest=p["most"] == "min")), "image_extreme")
    elif op == "common_objects":
        common = set.intersection(*({o.name for o in g.objects} for g in graphs))
        expect(ans, ", ".join(sorted(common)), "common_objects")
    elif op == "common_attributes":
        objs = [one(g, {"name": p["name"], "attrs": {}}) for g in graphs]
        shared = [
            objs[0].attrs[k]
            for k in ORDER
            if all(k in o.attrs and o.attrs[k] == objs[0].attrs[k] for o in objs)
        ]
        expect(ans, ", ".join(shared), "common_attributes")
    elif op == "total_count" and p.get("physical"):
        # views of one scene: distinct physical objects (each graph's extra["physical"]:
        # object id -> physical id, from the record's physical_ids)
        looks: dict[int, set] = {}
        for g in graphs:
            for o in g.objects:
                if fits(o, p["select"]):
                    look = (o.attrs.get("color"), o.attrs.get("material"))
                    looks.setdefault(g.extra["physical"][o.id], set()).add(look)
        if any(len(v) > 1 for v in looks.values()):
            raise Disagreement("a physical total over a recoloured thing: one or two to a person")
        expect(ans, str(len(looks)), "physical total")
    elif op == "total_count":
        expect(ans, str(sum(sum(fits(o, p["select"]) for o in g.objects) for g in graphs)), op)
    elif op == "relation_diff":
        sets = [relation_set(g, one(g, p["subject"]), one(g, p["object"])) for g in graphs]
        if not all(sets) or all(s == sets[0] for s in sets):
            raise Disagreement("relations do not differ, or one is empty")
        text = "; ".join(f"{_name(i)}: {', '.join(said(x) for x in s)}" for i, s in enumerate(sets))
        expect(ans, text, "relation_diff")
    elif op == "attribute_diff":
        objs = [one(g, {"name": p["name"], "attrs": {}}) for g in graphs]
        differ = [k for k in ORDER if len({o.attrs.get(k) for o in objs}) > 1]
        if not differ:
            raise Disagreement("attributes do not differ")
        text = "; ".join(
            f"{_name(i)}: {', '.join(o.attrs[k] for k in differ)}" for i, o in enumerate(objs)
        )
        expect(ans, text, "attribute_diff")
    else:
        raise Disagreement(f"unknown multi-image op {op!r}")
