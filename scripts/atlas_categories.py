"""The curated category table of the sprite atlas (read by scripts/build_atlas.py).

One line per category: ``GROUP(name, emoji, (lo, hi) metres, **options)``.

- ``emoji``: the code points (hex, '-' joined) of the art, or ``{pose: codepoints}``.
  The first pose is the category's default. Both styles are drawn for every pose where the
  art exists (noto is required, fluent is taken when the package has it).
- ``syn``: comma-separated synonyms (VG150's nouns are names or synonyms); ``plural``
  defaults to name + "s".
- ``wn``: the WordNet 3.0 synset id when the first noun sense of ``name`` is the wrong
  one; the build checks that the synset lies under the group's synsets (GROUP_SYNSETS).
- ``facing``: as drawn, "left" | "right" | "front" | "none", or {pose or style: facing}.
- ``anchors``: a preset name (ANCHORS) or {pose: preset}; presets are written for art that
  faces right (or front) and mirrored in x for art that faces left. Points are approximate
  (per kind of thing, not measured per sprite).

People use the emoji sets' skin-tone-neutral default (yellow skin, no modifier): one sprite
per pose and style. A person's left/right hand is their own (a front-facing person's right
hand is on the image's left).
"""

from __future__ import annotations

from dataclasses import dataclass

ANCHORS: dict[str, dict[str, tuple[float, float]]] = {
    "none": {},
    "body": {"head": (0.5, 0.08), "face": (0.5, 0.1), "hand_right": (0.18, 0.52),
             "hand_left": (0.82, 0.52), "feet": (0.5, 1.0)},
    "side_body": {"head": (0.55, 0.08), "face": (0.62, 0.1), "hand_right": (0.75, 0.5),
                  "hand_left": (0.3, 0.5), "feet": (0.5, 1.0)},
    "sitting": {"head": (0.5, 0.12), "face": (0.5, 0.14), "hand_right": (0.2, 0.6),
                "hand_left": (0.8, 0.6), "seat": (0.5, 0.85)},
    "bust": {"head": (0.5, 0.38), "face": (0.5, 0.45)},
    "rider": {"head": (0.55, 0.1), "face": (0.6, 0.12), "hand_right": (0.7, 0.4),
              "hand_left": (0.7, 0.4), "feet": (0.5, 1.0)},
    "quadruped": {"head": (0.85, 0.25), "face": (0.9, 0.3), "back": (0.45, 0.3),
                  "tail": (0.04, 0.35), "feet": (0.5, 1.0)},
    "animal_face": {"head": (0.5, 0.5), "face": (0.5, 0.55)},
    "bird": {"head": (0.72, 0.22), "back": (0.45, 0.4), "tail": (0.08, 0.6), "feet": (0.5, 1.0)},
    "small": {"top": (0.5, 0.0), "bottom": (0.5, 1.0)},
    "seat": {"seat": (0.5, 0.62), "back": (0.5, 0.22), "bottom": (0.5, 1.0)},
    "bed": {"top": (0.55, 0.45), "head": (0.12, 0.4), "bottom": (0.5, 1.0)},
    "top": {"top": (0.5, 0.0), "bottom": (0.5, 1.0)},
    "ride": {"seat": (0.4, 0.3), "handle": (0.72, 0.2), "bottom": (0.5, 1.0)},
    "vehicle": {"top": (0.5, 0.05), "bottom": (0.5, 1.0)},
    "hang": {"hook": (0.5, 0.0), "bottom": (0.5, 1.0)},
    "held": {"hand": (0.5, 0.75)},
    "worn_head": {"head": (0.5, 0.9)},
    "worn_feet": {"feet": (0.5, 0.9)},
    "worn_body": {"hook": (0.5, 0.02)},
    "plant": {"top": (0.5, 0.0), "bottom": (0.5, 1.0)},
}

#: the build warns when a category's synset is under none of its group's synsets
GROUP_SYNSETS: dict[str, tuple[str, ...]] = {
    "person": ("person.n.01",),
    "animal": ("animal.n.01",),
    "vehicle": ("vehicle.n.01", "conveyance.n.03", "craft.n.02", "wheeled_vehicle.n.01",
                "wheel.n.01"),
    "food": ("food.n.01", "food.n.02", "foodstuff.n.02", "edible_fruit.n.01", "produce.n.01",
             "beverage.n.01", "vegetable.n.01", "nutriment.n.01", "fruit.n.01"),
    "plant": ("plant.n.02", "plant_organ.n.01", "plant_part.n.01", "vascular_plant.n.01",
              "flower.n.01", "flower.n.02", "wood.n.01", "natural_object.n.01"),
}

#: hypernym path entries too abstract to keep
HYPERNYM_STOP = {
    "entity", "physical entity", "abstraction", "object", "whole", "living thing", "organism",
    "causal agent", "matter", "substance", "solid", "artifact", "instrumentality",
    "thing", "unit", "part", "relation", "group", "attribute", "psychological feature",
    "chordate", "vertebrate", "placental", "eutherian mammal", "physical object",
    "natural object", "plant organ", "plant part", "reproductive structure",
    "vascular plant", "spermatophyte", "angiosperm", "woody plant", "herb", "herbaceous plant",
    "commodity", "consumer goods", "covering", "structure", "construction", "device",
    "implement", "container", "equipment", "article", "ware", "merchandise", "system",
    "means", "instrument", "invertebrate", "arthropod", "diapsid", "aquatic vertebrate",
    "even-toed ungulate", "odd-toed ungulate", "ungulate", "ruminant", "bovid",
    "carnivore", "canine", "feline", "rodent", "gnawing mammal", "hoofed mammal",
}


@dataclass(frozen=True)
class Entry:
    name: str
    group: str
    poses: tuple[tuple[str, str], ...]
    height: tuple[float, float]
    synonyms: tuple[str, ...]
    plural: str
    wn: str | None
    facing: object
    anchors: object

    def facing_for(self, style: str, pose: str) -> str:
        f = self.facing
        if isinstance(f, dict):
            return f.get(f"{style}:{pose}", f.get(pose, f.get(style, f.get("", "none"))))
        return f

    def anchors_for(self, pose: str) -> dict[str, tuple[float, float]]:
        a = self.anchors
        if isinstance(a, dict):
            a = a.get(pose, a.get("", "none"))
        return ANCHORS[a]


_ENTRIES: list[Entry] = []


def group(name: str, facing: object = "none", anchors: object = "none"):
    def add(cat: str, emoji: str | dict[str, str], height: tuple[float, float], *,
            syn: str = "", plural: str | None = None, wn: str | None = None,
            facing: object = facing, anchors: object = anchors) -> None:
        poses = tuple(emoji.items()) if isinstance(emoji, dict) else (("", emoji),)
        synonyms = tuple(s.strip() for s in syn.split(",") if s.strip())
        _ENTRIES.append(Entry(cat, name, poses, (float(height[0]), float(height[1])), synonyms,
                              plural or (cat + "es" if cat.endswith(("s", "sh", "ch", "x"))
                                         else cat + "s"),
                              wn, facing, anchors))
    return add


def entries() -> list[Entry]:
    names = [e.name for e in _ENTRIES]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"duplicate categories: {dup}")
    return list(_ENTRIES)


# ------------------------------------------------------------------------------ people
PERSON = group("person", facing="front", anchors="bust")
WALK = {"walking": "side_body", "running": "side_body", "standing": "body",
        "kneeling": "side_body", "sitting": "sitting", "": "bust", "portrait": "bust"}
FACE_WALK = {"walking": "left", "running": "left", "kneeling": "left", "": "front"}

PERSON("person", {"standing": "1f9cd", "walking": "1f6b6", "running": "1f3c3",
                  "kneeling": "1f9ce", "sitting": "1f9d8", "portrait": "1f9d1"},
       (1.5, 1.9), plural="people", syn="human, someone, pedestrian",
       facing=FACE_WALK, anchors=WALK)
PERSON("man", {"standing": "1f9cd-200d-2642-fe0f", "walking": "1f6b6-200d-2642-fe0f",
               "running": "1f3c3-200d-2642-fe0f", "kneeling": "1f9ce-200d-2642-fe0f",
               "portrait": "1f468"},
       (1.6, 1.95), plural="men", syn="guy, gentleman, male", facing=FACE_WALK, anchors=WALK)
PERSON("woman", {"standing": "1f9cd-200d-2640-fe0f", "walking": "1f6b6-200d-2640-fe0f",
                 "running": "1f3c3-200d-2640-fe0f", "kneeling": "1f9ce-200d-2640-fe0f",
                 "portrait": "1f469"},
       (1.5, 1.85), plural="women", syn="lady, ladies, female", facing=FACE_WALK, anchors=WALK)

# ------------------------------------------------------------------------------ animals
ANIMAL = group("animal", facing="left", anchors="quadruped")
ANIMAL("dog", "1f415", (0.3, 0.9), syn="puppy, hound")
ANIMAL("cat", "1f408", (0.2, 0.35), syn="kitten, kitty")
ANIMAL("horse", "1f40e", (1.4, 1.8), syn="pony")

# ------------------------------------------------------------------------------ food
FOOD = group("food", anchors="small")
FOOD("apple", "1f34e", (0.06, 0.1))
FOOD("banana", "1f34c", (0.03, 0.2), wn="banana.n.02")
FOOD("pizza", "1f355", (0.01, 0.05), plural="pizzas", syn="pizza slice")

# ------------------------------------------------------------------------------ vehicles
VEHICLE = group("vehicle", facing="left", anchors="vehicle")
VEHICLE("car", {"side": "1f697", "front": "1f698"}, (1.3, 1.7), syn="automobile, auto",
        facing={"side": "left", "front": "front"})
VEHICLE("bicycle", "1f6b2", (0.9, 1.2), syn="bike, cycle", anchors="ride")

# ------------------------------------------------------------------------------ furniture
FURNITURE = group("furniture", facing="front", anchors="seat")
FURNITURE("chair", "1fa91", (0.8, 1.1))
