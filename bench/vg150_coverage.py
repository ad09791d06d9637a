"""How much of VG150 a world covers: nouns, predicates, relation density and kinds, balance.

Makes N scenes with a registered world (in memory, no files), reads the VG150 class lists
(``vg150.json``: ``objects``, 150 nouns, and ``predicates``, 50) and prints

- nouns: how many of the 150 appear as object names, raw (exact) and with plurals and
  synonyms (``jeans`` covers ``jean``, ``men``/``man`` cover each other, ``people`` ->
  ``person``...), and which are missing;
- predicates: how many of the 50 appear, raw and with synonyms (``wears`` = ``wearing``,
  ``laying on`` = ``lying on``...), which are missing (the 5 that are annotation noise --
  and, for, from, to, with -- are shown apart);
- relations per object, counting a relation and its inverse (``left of`` / ``right of``) or
  a symmetric one both ways (``near``) once, and leaving out attribute sharing (``same
  color as``); the share of each relation kind when the world's graph says it (``kind``),
  and the share that is functional / interactional / social / part;
- categories: how many distinct object categories, and the largest one's share of objects;
- objects per image, and scene types when the graph has them.

    python bench/vg150_coverage.py                       # 10000 sprite scenes
    python bench/vg150_coverage.py --world shapes --n 2000
    python bench/vg150_coverage.py --via svg --n 500     # records of synthgen.generate("svg")
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VG150 = ROOT.parent / "shared" / "data" / "vg150.json"
NOISE_PREDICATES = ("and", "for", "from", "to", "with")
RICH_KINDS = ("functional", "interactional", "social", "part")

NOUN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "person": ("people", "human"),
    "man": ("men", "gentleman"),
    "woman": ("women", "lady"),
    "child": ("children", "kid"),
    "jean": ("jeans",),
    "pant": ("pants", "trousers"),
    "short": ("shorts",),
    "bike": ("bicycle",),
    "motorcycle": ("motorbike",),
    "airplane": ("plane", "aeroplane"),
    "phone": ("cellphone", "smartphone", "telephone", "mobile phone"),
    "glass": ("glasses", "wine glass", "drinking glass"),
    "sneaker": ("trainer",),
    "cap": ("baseball cap",),
    "hill": ("hillside",),
    "street": ("road",),
    "sidewalk": ("pavement",),
    "rock": ("stone", "boulder"),
    "racket": ("racquet", "tennis racket"),
    "guy": ("dude",),
}
"""VG noun -> other words a world may use for it (each also covers the VG noun)."""

PREDICATE_SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"wearing", "wears", "wear"},
        {"lying on", "laying on", "lies on", "lays on"},
        {"holding", "holds", "hold"},
        {"carrying", "carries", "carry"},
        {"riding", "rides", "ride", "riding on"},
        {"eating", "eats", "eat"},
        {"using", "uses", "use"},
        {"watching", "watches", "watch"},
        {"looking at", "looks at", "look at"},
        {"playing", "plays", "play", "playing with"},
        {"sitting on", "sits on", "seated on"},
        {"standing on", "stands on"},
        {"walking on", "walks on"},
        {"walking in", "walks in"},
        {"parked on", "parked in"},
        {"has", "have", "with"},
        {"under", "below", "beneath", "underneath"},
        {"near", "next to", "beside", "by"},
        {"on", "on top of", "atop"},
        {"in", "inside", "inside of"},
        {"covered in", "covered with", "covered by"},
        {"hanging from", "hangs from", "hanging on"},
        {"mounted on", "attached to"},
        {"belonging to", "of", "part of"},
    )
)
"""Groups of predicates read as one when counting 'with synonyms'."""

INVERSE = {
    "left of": "right of",
    "in front of": "behind",
    "above": "below",
    "over": "under",
    "bigger than": "smaller than",
    "larger than": "smaller than",
    "closer than": "farther than",
    "taller than": "shorter than",
    "has": "part of",
    "holding": "held by",
    "wearing": "worn by",
    "carrying": "carried by",
    "riding": "ridden by",
}
INVERTED = {v: k for k, v in INVERSE.items()}
SYMMETRIC = frozenset({"near", "next to", "beside", "by", "touching", "facing", "with", "and"})


def singular(word: str) -> str:
    """A rough singular of an English noun (enough to match names to VG150's)."""
    w = word.strip().lower()
    irregular = {"men": "man", "women": "woman", "people": "person", "children": "child",
                 "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose",
                 "leaves": "leaf", "knives": "knife", "shelves": "shelf", "wolves": "wolf"}
    if w in irregular:
        return irregular[w]
    last = w.rsplit(" ", 1)
    head = last[-1]
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"),
                         ("xes", "x"), ("oes", "o")):
        if head.endswith(suffix) and len(head) > len(suffix) + 1:
            head = head[: -len(suffix)] + repl
            break
    else:
        if head.endswith("s") and not head.endswith(("ss", "us", "is")) and len(head) > 3:
            head = head[:-1]
    return " ".join([*last[:-1], head])


def noun_forms(vg_noun: str) -> set[str]:
    """Words that count as the VG noun when synonyms and plurals are allowed."""
    forms = {vg_noun, singular(vg_noun)}
    forms |= set(NOUN_SYNONYMS.get(vg_noun, ()))
    for key, words in NOUN_SYNONYMS.items():
        if vg_noun in words:
            forms |= {key, *words}
    return {singular(f) for f in forms} | forms


def predicate_forms(vg_predicate: str) -> set[str]:
    forms = {vg_predicate}
    for group in PREDICATE_SYNONYMS:
        if vg_predicate in group:
            forms |= group
    return forms


# ---- scenes of a world -----------------------------------------------------------------


def _graph_json(graph: Any) -> dict[str, Any]:
    from pydantic import BaseModel

    if callable(getattr(graph, "to_dict", None)):
        return graph.to_dict()
    return graph.model_dump(mode="json") if isinstance(graph, BaseModel) else {}


def _vg_json(graph: Any) -> dict[str, Any]:
    from synthgen.world.graph import SceneGraph
    from synthgen.world.vg import export_graph

    if hasattr(graph, "to_vg"):
        return graph.to_vg().model_dump(mode="json")
    if isinstance(graph, SceneGraph):
        return export_graph(graph, 0)
    raise TypeError(f"{type(graph).__name__} has no to_vg(): cannot read it as VG")


def scenes_direct(world_name: str, n: int, seed: int, settings: dict[str, Any]) -> Iterator:
    """(vg dict, world graph dict) of n scenes drawn with the world's own three methods."""
    from synthgen.world.base import worlds
    from synthgen.world.scene import SceneSamplingError

    world = worlds.get(world_name)()
    config = type(world).Config.model_validate(settings)
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        try:
            scene = world.sample(rng, config)
        except SceneSamplingError:
            yield None
            continue
        rendering = world.render(scene, config)
        graph = world.graph(scene, rendering, config)
        yield _vg_json(graph), _graph_json(graph)


def scenes_via_svg(world_name: str, n: int, seed: int, settings: dict[str, Any]) -> Iterator:
    """(vg dict, world graph dict) of the first n svg records made with the world."""
    import synthgen
    from synthgen.world.graph import SceneGraph
    from synthgen.world.vg import export_graph

    world = {"name": world_name, **settings}
    config = {"world": world, "qa": {"per_image": 0}, "conversations": False}
    for record in synthgen.generate("svg", n, seed, config=config):
        if record.scene_graph is not None:
            graph = record.scene_graph
            yield export_graph(SceneGraph.model_validate(graph), record.index), graph.model_dump(
                mode="json"
            )
        else:
            graph = record.world_graph or {}
            yield _vg_from_dump(graph), graph


def _vg_from_dump(graph: dict[str, Any]) -> dict[str, Any]:
    """The VG fields of a world graph stored in a record (VG-shaped: ``names`` or ``name``,
    ``subject_id``/``subject``...)."""
    objects = [
        {"names": o.get("names") or [o.get("name") or o.get("category") or "?"]}
        for o in graph.get("objects") or []
    ]
    rels = [
        {
            "predicate": r.get("predicate", ""),
            "subject_id": r.get("subject_id", r.get("subject")),
            "object_id": r.get("object_id", r.get("object")),
        }
        for r in graph.get("relationships") or graph.get("relations") or []
    ]
    return {"objects": objects, "relationships": rels}


# ---- tallies ---------------------------------------------------------------------------


def _relation_kinds(graph: dict[str, Any], vg: dict[str, Any]) -> list[str | None]:
    """Kind of each relation of the VG view, in order: what the world's own graph says
    (``kind``), else the shapes world's predicate categories (spatial, comparative,
    attribute), else None."""
    from synthgen.world.graph import PREDICATES

    rels = graph.get("relationships") or graph.get("relations") or []
    kinds = [r.get("kind") or r.get("category") if isinstance(r, dict) else None for r in rels]
    if len(kinds) == len(vg.get("relationships", [])) and any(kinds):
        return kinds
    return [PREDICATES.get(r["predicate"]) for r in vg.get("relationships", [])]


def _object_categories(graph: dict[str, Any], vg: dict[str, Any]) -> list[str]:
    objects = graph.get("objects") or []
    cats = [o.get("category") for o in objects if isinstance(o, dict)]
    if cats and all(isinstance(c, str) for c in cats):
        return cats
    return [o["names"][0] for o in vg.get("objects", [])]


def tally(scenes: Iterator) -> dict[str, Any]:
    names: Counter[str] = Counter()
    predicates: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    scene_types: Counter[str] = Counter()
    per_image: list[int] = []
    counted_relations = 0
    failed = 0
    for item in scenes:
        if item is None:
            failed += 1
            continue
        vg, graph = item
        objects = vg.get("objects", [])
        per_image.append(len(objects))
        for o in objects:
            for name in o["names"]:
                names[name.strip().lower()] += 1
        categories.update(_object_categories(graph, vg))
        st = graph.get("scene_type")
        if isinstance(st, str):
            scene_types[st] += 1
        rels = vg.get("relationships", [])
        rel_kinds = _relation_kinds(graph, vg)
        seen: set[tuple[str, int, int]] = set()
        for r, kind in zip(rels, rel_kinds, strict=True):
            p = r["predicate"].strip().lower()
            predicates[p] += 1
            if p.startswith("same ") or kind == "attribute":
                continue  # attribute sharing: implied by the attributes
            s, o = r["subject_id"], r["object_id"]
            if p in INVERTED:
                key = (INVERTED[p], o, s)
            elif p in SYMMETRIC:
                key = (p, min(s, o), max(s, o))
            else:
                key = (p, s, o)
            if key in seen:
                continue
            seen.add(key)
            counted_relations += 1
            kinds[kind or "(unlabelled)"] += 1
    return {
        "names": names,
        "predicates": predicates,
        "kinds": kinds,
        "categories": categories,
        "scene_types": scene_types,
        "per_image": per_image,
        "relations": counted_relations,
        "failed": failed,
    }


def report(t: dict[str, Any], vg150: dict[str, Any], world: str, n: int, seconds: float) -> None:
    nouns: list[str] = vg150["objects"]
    preds: list[str] = vg150["predicates"]
    names, predicates = t["names"], t["predicates"]
    world_names = set(names)
    world_singular = {singular(w) for w in world_names}
    raw_nouns = [v for v in nouns if v in world_names]
    syn_nouns = [v for v in nouns if noun_forms(v) & (world_names | world_singular)]
    raw_preds = [p for p in preds if p in predicates]
    syn_preds = [p for p in preds if predicate_forms(p) & set(predicates)]
    real = [p for p in preds if p not in NOISE_PREDICATES]
    images = len(t["per_image"])
    objects = sum(t["per_image"])
    print(f"world {world!r}: {images} images of {n} ({t['failed']} failed to sample) "
          f"in {seconds:.1f}s ({1000 * seconds / max(1, n):.2f} ms/image)")
    print(f"nouns: {len(raw_nouns)}/{len(nouns)} raw, {len(syn_nouns)}/{len(nouns)} with "
          f"plurals and synonyms; {len(world_names)} distinct object names in the world")
    missing = [v for v in nouns if v not in syn_nouns]
    print(f"  missing ({len(missing)}): {', '.join(missing) or '-'}")
    print(f"predicates: {len(raw_preds)}/{len(preds)} raw, {len(syn_preds)}/{len(preds)} with "
          f"synonyms ({len([p for p in syn_preds if p in real])}/{len(real)} without the noise "
          f"predicates {', '.join(NOISE_PREDICATES)})")
    missing_p = [p for p in real if p not in syn_preds]
    print(f"  missing ({len(missing_p)}): {', '.join(missing_p) or '-'}")
    extra = sorted(p for p in predicates if not any(p in predicate_forms(v) for v in preds))
    print(f"  the world's predicates outside VG150 ({len(extra)}): {', '.join(extra) or '-'}")
    rel = t["relations"]
    print(f"relations per object: {rel / max(1, objects):.2f} ({rel} relations, {objects} "
          f"objects; inverse and symmetric duplicates and attribute sharing not counted)")
    kinds = t["kinds"]
    if kinds and set(kinds) != {"(unlabelled)"}:
        shares = ", ".join(f"{k} {100 * v / rel:.1f}%" for k, v in kinds.most_common())
        rich = sum(kinds[k] for k in RICH_KINDS)
        print(f"  kinds: {shares}")
        print(f"  functional/interactional/social/part: {100 * rich / max(1, rel):.1f}%")
    else:
        print("  kinds: the world's graph does not label its relations (no `kind`)")
    cats = t["categories"]
    if cats:
        top, top_n = cats.most_common(1)[0]
        print(f"categories: {len(cats)} seen; largest {top!r} {100 * top_n / objects:.1f}% of "
              f"objects")
    if t["per_image"]:
        arr = np.array(t["per_image"])
        print(f"objects per image: mean {arr.mean():.1f}, median {np.median(arr):.0f}, "
              f"min {arr.min()}, max {arr.max()}")
    if t["scene_types"]:
        print(f"scene types ({len(t['scene_types'])}): " + ", ".join(
            f"{k} {100 * v / images:.0f}%" for k, v in t["scene_types"].most_common()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", default="10000", help="scenes to make (1e4, 10_000, ...)")
    parser.add_argument("--world", default="sprites", help="registered world name")
    parser.add_argument("--vg150", default=str(DEFAULT_VG150), help="path of vg150.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--via", choices=("world", "svg"), default="world",
                        help="the world's three methods (default) or svg records")
    parser.add_argument("--set", action="append", default=[],
                        help="world setting KEY=VALUE (TOML value), e.g. --set max_objects=8")
    args = parser.parse_args(argv)

    from synthgen.config import parse_count, parse_overrides
    from synthgen.errors import UserError
    from synthgen.world.base import worlds

    try:
        n = parse_count(args.n)
        settings = parse_overrides(args.set)
        path = Path(args.vg150)
        vg150 = json.loads(path.read_text())
        if args.world not in worlds.names():
            print(f"world {args.world!r} is not registered (registered: "
                  f"{', '.join(worlds.names())}); nothing to measure yet", file=sys.stderr)
            return 2
    except FileNotFoundError:
        print(f"{args.vg150}: no such file; give --vg150 PATH", file=sys.stderr)
        return 2
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 2
    make = scenes_direct if args.via == "world" else scenes_via_svg
    start = time.perf_counter()
    t = tally(make(args.world, n, args.seed, settings))
    report(t, vg150, args.world, n, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
